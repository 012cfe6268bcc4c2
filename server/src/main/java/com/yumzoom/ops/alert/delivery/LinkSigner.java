package com.yumzoom.ops.alert.delivery;

import com.yumzoom.ops.store.duckdb.StorageException;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs acknowledge/resolve links that go out in Slack buttons and emails, so a click works without
 * a login and a forged or expired link does nothing.
 *
 * <p>The signature is HMAC-SHA256 over {@code action \n fingerprints \n expiry} with a 32-byte
 * secret kept in the data directory ({@value #FILE}, created on first start, owner-only), so links
 * stay valid across restarts and nobody without the data directory can mint one.
 */
final class LinkSigner {

  static final String FILE = "alerting-link.secret";

  private final byte[] secret;

  LinkSigner(byte[] secret) {
    this.secret = secret.clone();
  }

  /** Reads the secret from {@code dataDir}, creating it on first use. */
  static LinkSigner inDataDir(Path dataDir) {
    Path file = dataDir.resolve(FILE);
    try {
      Files.createDirectories(dataDir);
      if (!Files.exists(file)) {
        byte[] fresh = new byte[32];
        new SecureRandom().nextBytes(fresh);
        try {
          Files.writeString(file, HexFormat.of().formatHex(fresh), StandardOpenOption.CREATE_NEW);
          try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
          } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system; the data directory's own permissions protect it
          }
        } catch (FileAlreadyExistsException raced) {
          // another start created it first; read theirs
        }
      }
      return new LinkSigner(HexFormat.of().parseHex(Files.readString(file).trim()));
    } catch (IOException | IllegalArgumentException e) {
      throw new StorageException("cannot read or create " + file + ": " + e.getMessage(), e);
    }
  }

  String sign(String action, List<String> fingerprints, long expiresEpochSecond) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      String message = action + "\n" + String.join(",", fingerprints) + "\n" + expiresEpochSecond;
      return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  /** The signed link: {@code {base}/ack?action=..&fp=a,b&exp=..&sig=..}. */
  String link(String baseUrl, String action, List<String> fingerprints, Instant expires) {
    long exp = expires.getEpochSecond();
    String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    return base
        + "/ack?action="
        + action
        + "&fp="
        + URLEncoder.encode(String.join(",", fingerprints), StandardCharsets.UTF_8)
        + "&exp="
        + exp
        + "&sig="
        + sign(action, fingerprints, exp);
  }

  /** Whether {@code signature} was made by {@link #sign} and {@code now} is before the expiry. */
  boolean verify(
      String action,
      List<String> fingerprints,
      long expiresEpochSecond,
      String signature,
      Instant now) {
    if (signature == null || now.getEpochSecond() > expiresEpochSecond) {
      return false;
    }
    byte[] expected =
        sign(action, fingerprints, expiresEpochSecond).getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.UTF_8));
  }

  /** HMAC-SHA256 of {@code body} with {@code key}, hex: the webhook signature. */
  static String hmacHex(String key, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
