package io.vxmesh.config;

import io.vxmesh.net.HostPort;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code [metrics]} table: the Prometheus endpoint ({@code /metrics}) and the health probe
 * ({@code /healthz}) on one HTTP listener. Off by default, like Calico Felix's
 * {@code PrometheusMetricsEnabled}: an agent opens no TCP port an operator did not ask for.
 *
 * @param listen where to listen, e.g. {@code 127.0.0.1:9947}; empty (the default, or
 *     {@code listen = ""}) serves nothing
 */
public record MetricsConfig(Optional<HostPort> listen) {
  /** The port the README and config/vxmesh.toml suggest (next to gossip's 7946/7947). */
  public static final int SUGGESTED_PORT = 9947;

  public MetricsConfig {
    Objects.requireNonNull(listen, "listen");
  }

  public static MetricsConfig off() {
    return new MetricsConfig(Optional.empty());
  }
}
