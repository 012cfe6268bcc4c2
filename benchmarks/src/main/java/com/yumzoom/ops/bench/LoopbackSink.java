package com.yumzoom.ops.bench;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A trivial HTTP/1.1 server on loopback that reads each request body and answers at once, so the
 * load generator can show what it sends when the receiver costs nothing ({@code --self-test}).
 *
 * <p>It speaks only what java.net.http sends (Content-Length bodies, keep-alive) and is written on
 * blocking sockets with one virtual thread per connection, which is cheaper per request than
 * com.sun.net.httpserver. Every {@code rejectEvery}-th request is answered 429 with Retry-After: 0,
 * which lets a test drive the generator's retry path without sleeping.
 */
final class LoopbackSink implements AutoCloseable {

  private static final byte[] OK =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
          .getBytes(StandardCharsets.US_ASCII);
  private static final byte[] TOO_MANY =
      "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 0\r\nContent-Length: 0\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII);
  private static final byte[] LENGTH_REQUIRED =
      "HTTP/1.1 411 Length Required\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII);

  private final ServerSocket server;
  private final int rejectEvery;
  private final AtomicLong requests = new AtomicLong();
  private final LongAdder bodyBytes = new LongAdder();
  private final Thread acceptor;

  /**
   * @param rejectEvery answer every n-th request 429; 0 never
   */
  LoopbackSink(int rejectEvery) throws IOException {
    this.rejectEvery = rejectEvery;
    this.server = new ServerSocket();
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
    this.acceptor = Thread.ofVirtual().name("sink-accept").start(this::acceptLoop);
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getLocalPort() + path;
  }

  long requests() {
    return requests.get();
  }

  long bodyBytes() {
    return bodyBytes.sum();
  }

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket socket = server.accept();
        Thread.ofVirtual().name("sink-conn").start(() -> serve(socket));
      } catch (IOException e) {
        if (!server.isClosed()) {
          System.err.println("sink: accept failed: " + e);
        }
      }
    }
  }

  private void serve(Socket socket) {
    try (socket;
        InputStream in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        OutputStream out = socket.getOutputStream()) {
      socket.setTcpNoDelay(true);
      byte[] skip = new byte[1 << 16];
      while (true) {
        long length = readHeaders(in);
        if (length == -2) {
          return; // connection closed between requests
        }
        if (length < 0) {
          out.write(LENGTH_REQUIRED);
          return;
        }
        for (long left = length; left > 0; ) {
          int n = in.read(skip, 0, (int) Math.min(skip.length, left));
          if (n < 0) {
            return;
          }
          left -= n;
        }
        bodyBytes.add(length);
        long n = requests.incrementAndGet();
        out.write(rejectEvery > 0 && n % rejectEvery == 0 ? TOO_MANY : OK);
        out.flush();
      }
    } catch (IOException e) {
      // the client went away; nothing to do
    }
  }

  /** Reads a request head; its Content-Length, -1 if it has none, -2 at end of stream. */
  private static long readHeaders(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    long length = -1;
    boolean first = true;
    while (true) {
      int c = in.read();
      if (c < 0) {
        return -2;
      }
      if (c == '\n') {
        if (line.isEmpty()) {
          return length;
        }
        String header = line.toString();
        line.setLength(0);
        if (first) {
          first = false;
          continue;
        }
        int colon = header.indexOf(':');
        if (colon > 0
            && header
                .substring(0, colon)
                .trim()
                .toLowerCase(Locale.ROOT)
                .equals("content-length")) {
          length = Long.parseLong(header.substring(colon + 1).trim());
        }
      } else if (c != '\r') {
        line.append((char) c);
      }
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    acceptor.interrupt();
  }
}
