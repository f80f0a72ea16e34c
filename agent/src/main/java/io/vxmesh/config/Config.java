package io.vxmesh.config;

import io.vxmesh.datapath.VtepSpec;
import io.vxmesh.gossip.Keyring;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The agent's configuration, fully resolved: every default applied, every value validated,
 * the cluster key read. Built by {@link ConfigLoader}; nothing downstream needs to know
 * which values were defaults.
 *
 * @param file the file it was loaded from (for messages)
 * @param nodeName this member's name in the mesh ({@code node_name}, default the host name)
 * @param gossip the {@code [gossip]} table
 * @param api the {@code [api]} table
 * @param networks the {@code [[network]]} tables, at least one, distinct VNIs and devices
 * @param agent the {@code [agent]} table
 * @param cni the {@code [cni]} table (subnet.env and conflist for the first network)
 * @param metrics the {@code [metrics]} table (Prometheus endpoint and health probe; off by default)
 * @param keyring the cluster keys read from {@code gossip.key_file} (the first signs)
 */
public record Config(
    Path file,
    String nodeName,
    GossipConfig gossip,
    ApiConfig api,
    List<NetworkConfig> networks,
    AgentConfig agent,
    CniConfig cni,
    MetricsConfig metrics,
    Keyring keyring) {
  public Config {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(nodeName, "nodeName");
    Objects.requireNonNull(gossip, "gossip");
    Objects.requireNonNull(api, "api");
    Objects.requireNonNull(agent, "agent");
    Objects.requireNonNull(cni, "cni");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(keyring, "keyring");
    networks = List.copyOf(networks);
    if (networks.isEmpty()) {
      throw new IllegalArgumentException("at least one network is required");
    }
  }

  /** One VTEP per network, with this host's advertise address as the VXLAN local address. */
  public List<VtepSpec> vtepSpecs() {
    return networks.stream().map(n -> n.toVtepSpec(gossip.advertise())).toList();
  }
}
