package io.vxmesh.metrics;

import com.sun.net.httpserver.HttpExchange;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vxmesh.net.HostPort;
import io.vxmesh.reconcile.Reconciler;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The {@code [metrics] listen} endpoint: the Prometheus client's HTTP server (JDK HttpServer)
 * serving {@code /metrics} from the agent's registry, plus {@code /healthz}: 200 while the
 * reconcile loop is alive and its last pass is recent, 503 otherwise (the same verdict that
 * gates the systemd watchdog pings), with a one-line text body saying why. Like flanneld's
 * {@code --healthz-port}, but on the metrics listener.
 *
 * <p>Two daemon threads serve requests; nothing they do blocks on the reconciler (the health
 * and the metrics are read from snapshots).
 */
public final class MetricsServer implements AutoCloseable {
  private final HTTPServer server;
  private final ExecutorService executor;

  private MetricsServer(HTTPServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /** Listens on {@code listen}. */
  public static MetricsServer start(HostPort listen, PrometheusRegistry registry, Supplier<Reconciler.Health> health)
      throws IOException {
    return start(listen.host(), listen.port(), registry, health);
  }

  /** Listens on {@code host:port} (port 0: any free port, see {@link #port()}). */
  public static MetricsServer start(InetAddress host, int port, PrometheusRegistry registry, Supplier<Reconciler.Health> health)
      throws IOException {
    String listen = (host instanceof java.net.Inet6Address ? "[" + host.getHostAddress() + "]" : host.getHostAddress()) + ":" + port;
    AtomicInteger n = new AtomicInteger();
    ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "vxmesh-metrics-http-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    try {
      HTTPServer server = HTTPServer.builder()
          .inetAddress(host)
          .port(port)
          .registry(registry)
          .executorService(executor)
          .registerHealthHandler(false) // the library's /-/healthy always says yes; ours is /healthz
          .defaultHandler(exchange -> other(exchange, health))
          .buildAndStart();
      return new MetricsServer(server, executor);
    } catch (IOException | RuntimeException e) {
      executor.shutdownNow();
      throw new IOException("cannot listen for metrics on " + listen + ": " + e.getMessage(), e);
    }
  }

  public int port() {
    return server.getPort();
  }

  /** Everything but the metrics path: {@code /healthz}, a short index at {@code /}, else 404. */
  private static void other(HttpExchange exchange, Supplier<Reconciler.Health> health) throws IOException {
    String path = exchange.getRequestURI().getPath();
    if (path.equals("/healthz")) {
      Reconciler.Health h = health.get();
      reply(exchange, h.ok() ? 200 : 503, (h.ok() ? "ok: " : "unhealthy: ") + h.reason() + "\n");
    } else if (path.equals("/")) {
      reply(exchange, 200, "vxmesh agent: /metrics (Prometheus), /healthz\n");
    } else {
      reply(exchange, 404, "not found: " + path + " (try /metrics or /healthz)\n");
    }
  }

  private static void reply(HttpExchange exchange, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    try (exchange) {
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      boolean head = "HEAD".equals(exchange.getRequestMethod());
      exchange.sendResponseHeaders(status, head ? -1 : b.length);
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(b);
        }
      }
    }
  }

  @Override
  public void close() {
    server.close();
    executor.shutdownNow();
  }
}
