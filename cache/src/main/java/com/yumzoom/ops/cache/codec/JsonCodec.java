package com.yumzoom.ops.cache.codec;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The default codec: Jackson JSON. Unknown properties are ignored on read so that a node running an
 * older version of a record can still read what a newer node wrote during a rolling deploy.
 *
 * @param <V> value type
 */
public final class JsonCodec<V> implements CacheCodec<V> {
  private static final ObjectMapper DEFAULT_MAPPER =
      JsonMapper.builder()
          .findAndAddModules()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  private final ObjectMapper mapper;
  private final JavaType type;

  private JsonCodec(ObjectMapper mapper, JavaType type) {
    this.mapper = mapper;
    this.type = type;
  }

  public static <V> JsonCodec<V> of(Class<V> type) {
    return new JsonCodec<>(DEFAULT_MAPPER, DEFAULT_MAPPER.constructType(type));
  }

  /** For generic types: {@code JsonCodec.of(new TypeReference<List<Review>>() {})}. */
  public static <V> JsonCodec<V> of(TypeReference<V> type) {
    return new JsonCodec<>(DEFAULT_MAPPER, DEFAULT_MAPPER.constructType(type));
  }

  public static <V> JsonCodec<V> of(ObjectMapper mapper, Class<V> type) {
    return new JsonCodec<>(mapper, mapper.constructType(type));
  }

  @Override
  public byte[] encode(V value) throws Exception {
    return mapper.writeValueAsBytes(value);
  }

  @Override
  public V decode(byte[] bytes) throws Exception {
    return mapper.readValue(bytes, type);
  }
}
