package com.yumzoom.ops.otlp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * OTLP/JSON differs from the canonical protobuf JSON mapping in one way that matters: trace and
 * span ids are hex strings, not base64 (enums as integers and lower-camel keys are already accepted
 * by {@link JsonFormat}). So we rewrite the id fields in the JSON tree and let {@link JsonFormat}
 * do the rest, in both directions.
 */
public final class OtlpJson {

  private static final Set<String> ID_FIELDS = Set.of("traceId", "spanId", "parentSpanId");
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().omittingInsignificantWhitespace().printingEnumsAsInts();

  private OtlpJson() {}

  /**
   * Parses OTLP/JSON into {@code builder}.
   *
   * @throws InvalidProtocolBufferException with a message naming the offending field
   */
  public static <B extends Message.Builder> B parse(byte[] json, B builder)
      throws InvalidProtocolBufferException {
    JsonNode tree;
    try {
      tree = MAPPER.readTree(json);
    } catch (IOException e) {
      throw new InvalidProtocolBufferException("body is not valid JSON: " + e.getMessage());
    }
    if (tree == null || !tree.isObject()) {
      throw new InvalidProtocolBufferException("body must be a JSON object");
    }
    try {
      rewriteIds(tree, true);
    } catch (IllegalArgumentException e) {
      throw new InvalidProtocolBufferException(e.getMessage());
    }
    PARSER.merge(tree.toString(), builder);
    return builder;
  }

  /** Prints a message as OTLP/JSON (hex ids, integer enums). */
  public static String print(Message message) {
    try {
      JsonNode tree = MAPPER.readTree(PRINTER.print(message));
      rewriteIds(tree, false);
      return MAPPER.writeValueAsString(tree);
    } catch (IOException e) {
      throw new IllegalStateException("cannot print " + message.getDescriptorForType(), e);
    }
  }

  /** The tree form of {@link #print}, for embedding in a larger JSON document. */
  public static JsonNode toTree(Message message) {
    try {
      JsonNode tree = MAPPER.readTree(PRINTER.print(message));
      rewriteIds(tree, false);
      return tree;
    } catch (IOException e) {
      throw new IllegalStateException("cannot print " + message.getDescriptorForType(), e);
    }
  }

  private static void rewriteIds(JsonNode node, boolean hexToBase64) {
    if (node instanceof ObjectNode object) {
      Iterator<Map.Entry<String, JsonNode>> fields = object.properties().iterator();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        JsonNode value = field.getValue();
        if (ID_FIELDS.contains(field.getKey()) && value.isTextual()) {
          field.setValue(
              object.textNode(
                  hexToBase64
                      ? hexToBase64(field.getKey(), value.asText())
                      : base64ToHex(value.asText())));
        } else {
          rewriteIds(value, hexToBase64);
        }
      }
    } else if (node instanceof ArrayNode array) {
      for (JsonNode element : array) {
        rewriteIds(element, hexToBase64);
      }
    }
  }

  private static String hexToBase64(String field, String hex) {
    if (hex.isEmpty()) {
      return hex;
    }
    try {
      return Base64.getEncoder().encodeToString(HexFormat.of().parseHex(hex));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + " is not a hex string: \"" + hex + "\"", e);
    }
  }

  private static String base64ToHex(String base64) {
    return HexFormat.of().formatHex(Base64.getDecoder().decode(base64));
  }
}
