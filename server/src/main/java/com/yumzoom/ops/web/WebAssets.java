package com.yumzoom.ops.web;

import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

/**
 * The UI's files, read once from the classpath ({@code web/}) into memory.
 *
 * <p>There is no JavaScript build, so file names carry no hashes. Instead every asset is served
 * under {@code /assets/<hash>/}, where the hash covers all files: the modules import each other by
 * relative path, so a whole release shares one prefix and can be cached forever ({@code
 * immutable}); a new release changes the prefix that {@code index.html} (never cached without
 * revalidation) points to. Each file is gzipped once at start, not per request.
 */
final class WebAssets {

  static final String RESOURCE_ROOT = "web";
  static final String ASSET_PLACEHOLDER = "__ASSETS__";

  record Asset(MediaType type, byte[] identity, byte[] gzip, String etag) {}

  private final Map<String, Asset> assets;
  private final String hash;
  private final Asset index;

  private WebAssets(Map<String, Asset> assets, String hash, Asset index) {
    this.assets = assets;
    this.hash = hash;
    this.index = index;
  }

  static WebAssets load() {
    Map<String, byte[]> files = readAll();
    if (!files.containsKey("index.html")) {
      throw new IllegalStateException("web/index.html missing from the classpath");
    }
    MessageDigest digest = sha256();
    for (var e : files.entrySet()) {
      digest.update(e.getKey().getBytes(StandardCharsets.UTF_8));
      digest.update((byte) 0);
      digest.update(e.getValue());
    }
    String hash = HexFormat.of().formatHex(digest.digest(), 0, 6);
    Map<String, Asset> assets = new TreeMap<>();
    for (var e : files.entrySet()) {
      assets.put(e.getKey(), asset(e.getKey(), e.getValue()));
    }
    String html =
        new String(files.get("index.html"), StandardCharsets.UTF_8)
            .replace(ASSET_PLACEHOLDER, assetPrefix(hash));
    Asset index = asset("index.html", html.getBytes(StandardCharsets.UTF_8));
    return new WebAssets(assets, hash, index);
  }

  static String assetPrefix(String hash) {
    return "/assets/" + hash;
  }

  String hash() {
    return hash;
  }

  int size() {
    return assets.size();
  }

  /** {@code index.html}, revalidated on every load so a new release is picked up at once. */
  HttpResponse index(HttpRequest req) {
    return serve(req, index, "no-cache");
  }

  /** An asset below {@code /assets/<hash>/}; a stale hash is served the current file, uncached. */
  HttpResponse asset(HttpRequest req, String requestedHash, String path) {
    Asset asset = path.contains("..") ? null : assets.get(path);
    if (asset == null) {
      return HttpResponse.of(HttpStatus.NOT_FOUND, MediaType.PLAIN_TEXT_UTF_8, "not found");
    }
    String cache = hash.equals(requestedHash) ? "public, max-age=31536000, immutable" : "no-cache";
    return serve(req, asset, cache);
  }

  private static HttpResponse serve(HttpRequest req, Asset asset, String cacheControl) {
    String ifNoneMatch = req.headers().get(HttpHeaderNames.IF_NONE_MATCH);
    if (ifNoneMatch != null && ifNoneMatch.contains(asset.etag())) {
      return HttpResponse.of(
          ResponseHeaders.builder(HttpStatus.NOT_MODIFIED)
              .add(HttpHeaderNames.ETAG, asset.etag())
              .add(HttpHeaderNames.CACHE_CONTROL, cacheControl)
              .build());
    }
    String accept = req.headers().get(HttpHeaderNames.ACCEPT_ENCODING, "");
    boolean gzip = asset.gzip() != null && accept.contains("gzip");
    com.linecorp.armeria.common.ResponseHeadersBuilder headers =
        ResponseHeaders.builder(HttpStatus.OK)
            .contentType(asset.type())
            .add(HttpHeaderNames.ETAG, asset.etag())
            .add(HttpHeaderNames.CACHE_CONTROL, cacheControl)
            .add(HttpHeaderNames.VARY, "accept-encoding")
            .add("x-content-type-options", "nosniff");
    if (gzip) {
      headers.add(HttpHeaderNames.CONTENT_ENCODING, "gzip");
    }
    return AggregatedHttpResponse.of(
            headers.build(),
            com.linecorp.armeria.common.HttpData.wrap(gzip ? asset.gzip() : asset.identity()))
        .toHttpResponse();
  }

  private static Asset asset(String path, byte[] bytes) {
    byte[] gz = gzip(bytes);
    String etag = "\"" + HexFormat.of().formatHex(sha256().digest(bytes), 0, 10) + "\"";
    return new Asset(type(path), bytes, gz.length < bytes.length ? gz : null, etag);
  }

  static MediaType type(String path) {
    String ext = path.substring(path.lastIndexOf('.') + 1);
    return switch (ext) {
      case "html" -> MediaType.HTML_UTF_8;
      case "js" -> MediaType.parse("text/javascript; charset=utf-8");
      case "css" -> MediaType.CSS_UTF_8;
      case "json" -> MediaType.JSON_UTF_8;
      case "svg" -> MediaType.SVG_UTF_8;
      case "png" -> MediaType.PNG;
      case "ico" -> MediaType.parse("image/x-icon");
      default -> MediaType.OCTET_STREAM;
    };
  }

  private static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 3 + 64);
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Every file below {@code web/}, from a directory (IDE, tests) or from the shaded jar. */
  private static Map<String, byte[]> readAll() {
    URL marker = WebAssets.class.getClassLoader().getResource(RESOURCE_ROOT + "/index.html");
    if (marker == null) {
      throw new IllegalStateException("web/index.html missing from the classpath");
    }
    try {
      URI uri = marker.toURI();
      if ("jar".equals(uri.getScheme())) {
        FileSystem fs;
        boolean opened = false;
        try {
          fs = FileSystems.newFileSystem(uri, Map.of());
          opened = true;
        } catch (FileSystemAlreadyExistsException e) {
          fs = FileSystems.getFileSystem(uri);
        }
        try {
          return walk(fs.getPath("/" + RESOURCE_ROOT));
        } finally {
          if (opened) {
            fs.close();
          }
        }
      }
      return walk(Path.of(uri).getParent());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, byte[]> walk(Path root) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        if (Files.isRegularFile(p)) {
          String rel = root.relativize(p).toString().replace('\\', '/');
          files.put(rel, Files.readAllBytes(p));
        }
      }
    }
    return files;
  }
}
