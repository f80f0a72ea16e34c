package io.vxmesh.lab.testbed;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server (Debian's {@code prometheus} package, {@code /usr/bin/prometheus})
 * started by a test inside one of its namespaces, listening on that namespace's loopback,
 * scraping the given targets every second; its TSDB lives in a directory of the test's. The
 * HTTP API is queried with {@code curl} inside the same namespace. {@link #close()} kills it by
 * its PID ({@code ip netns exec} execs it, so the process started is Prometheus itself).
 */
public final class PrometheusServer implements AutoCloseable {
  public static final Path BINARY = Path.of("/usr/bin/prometheus");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Topology topology;
  private final String ns;
  private final String listen;
  private final Path log;
  private final Process process;

  private PrometheusServer(Topology topology, String ns, String listen, Path log, Process process) {
    this.topology = topology;
    this.ns = ns;
    this.listen = listen;
    this.log = log;
    this.process = process;
  }

  /** {@code scrape_configs} with one job and a 1 s interval, as YAML. */
  public static String config(String job, List<String> targets) {
    return """
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
          evaluation_interval: 1s
        scrape_configs:
          - job_name: %s
            static_configs:
              - targets: [%s]
        """.formatted(job, String.join(", ", targets.stream().map(t -> "'" + t + "'").toList()));
  }

  /** Starts Prometheus in {@code ns} on {@code 127.0.0.1:port} with {@code configYaml}; files go to {@code dir}. */
  public static PrometheusServer start(Topology topology, String ns, int port, String configYaml, Path dir) {
    try {
      Files.createDirectories(dir.resolve("data"));
      Path config = Files.writeString(dir.resolve("prometheus.yml"), configYaml, StandardCharsets.UTF_8);
      Path log = dir.resolve("prometheus.log");
      String listen = "127.0.0.1:" + port;
      List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, BINARY.toString(),
          "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=" + listen,
          "--storage.tsdb.retention.time=1h", "--log.level=warn"));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
          .redirectInput(new File("/dev/null")).start();
      return new PrometheusServer(topology, ns, listen, log, p);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start prometheus: " + e.getMessage(), e);
    }
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** {@code GET /-/ready} answers 200. */
  public boolean ready() {
    ExecResult r = topology.exec(ns, Duration.ofSeconds(5), "curl", "-sf", "-o", "/dev/null", "http://" + listen + "/-/ready");
    return r.ok();
  }

  /**
   * An instant query through {@code /api/v1/query}: the result vector as (labels → value), the
   * labels rendered {@code {a="x",b="y"}} sorted by name. Throws when the API says error.
   */
  public Map<String, Double> query(String promql) {
    ExecResult r = topology.exec(ns, Duration.ofSeconds(10), "curl", "-sS", "--get", "http://" + listen + "/api/v1/query",
        "--data-urlencode", "query=" + promql);
    if (!r.ok()) {
      throw new IllegalStateException("query failed: " + r.describeFailure());
    }
    try {
      JsonNode root = JSON.readTree(r.stdout());
      if (!"success".equals(root.path("status").asText())) {
        throw new IllegalStateException("query '" + promql + "': " + r.stdout());
      }
      Map<String, Double> out = new LinkedHashMap<>();
      for (JsonNode sample : root.path("data").path("result")) {
        List<String> labels = new ArrayList<>();
        sample.path("metric").fieldNames().forEachRemaining(labels::add);
        labels.sort(null);
        StringBuilder b = new StringBuilder("{");
        for (String l : labels) {
          b.append(b.length() > 1 ? "," : "").append(l).append("=\"").append(sample.path("metric").path(l).asText()).append('"');
        }
        out.put(b.append('}').toString(), Double.parseDouble(sample.path("value").path(1).asText()));
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("query '" + promql + "' answered no JSON: " + r.stdout(), e);
    }
  }

  /** Prometheus' own output so far (for failure messages). */
  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "";
    }
  }

  /** SIGTERM by PID, then SIGKILL if it lingers. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
