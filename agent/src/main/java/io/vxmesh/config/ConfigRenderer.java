package io.vxmesh.config;

import io.vxmesh.net.HostPort;
import java.util.stream.Collectors;

/**
 * The resolved configuration written back as TOML with every default filled in, so an operator
 * can see what the agent will actually use ({@code vxmesh config}). The key is never printed.
 */
public final class ConfigRenderer {
  private ConfigRenderer() {}

  public static String render(Config c) {
    GossipConfig g = c.gossip();
    StringBuilder sb = new StringBuilder();
    sb.append("# resolved from ").append(c.file()).append('\n');
    sb.append("node_name = ").append(q(c.nodeName())).append("\n\n[gossip]\n");
    sb.append("bind = ").append(q(g.bind().getHostAddress())).append('\n');
    sb.append("advertise = ").append(q(g.advertise().getHostAddress())).append('\n');
    sb.append("port = ").append(g.port()).append('\n');
    sb.append("join = [").append(g.join().stream().map(a -> q(a.toString())).collect(Collectors.joining(", "))).append("]\n");
    sb.append("key_file = ").append(q(g.keyFile().toString())).append('\n');
    sb.append("gossip_interval_ms = ").append(g.timers().gossipInterval().toMillis()).append('\n');
    sb.append("gossip_fanout = ").append(g.timers().gossipFanout()).append('\n');
    sb.append("probe_interval_ms = ").append(g.timers().probeInterval().toMillis()).append('\n');
    sb.append("probe_timeout_ms = ").append(g.timers().probeTimeout().toMillis()).append('\n');
    sb.append("suspect_probes = ").append(g.timers().suspectProbes()).append('\n');
    sb.append("failure_timeout_ms = ").append(g.timers().failureTimeout().toMillis()).append('\n');
    sb.append("restart_grace_ms = ").append(g.timers().restartGrace().toMillis()).append('\n');
    sb.append("reap_failed_after_s = ").append(g.timers().failedRetention().toSeconds()).append('\n');
    sb.append("max_members = ").append(g.maxMembers()).append('\n');
    sb.append("protocol = ").append(q(g.protocol().key())).append('\n');
    sb.append("\n[api]\nsocket = ").append(q(c.api().socket().toString())).append('\n');
    sb.append("\n[agent]\nresync_interval_s = ").append(c.agent().resyncInterval().toSeconds()).append('\n');
    sb.append("log_level = ").append(q(c.agent().logLevel())).append('\n');
    sb.append("vxlan_filter = ").append(c.agent().vxlanFilter()).append('\n');
    CniConfig cni = c.cni();
    sb.append("\n[cni]\nsubnet_env = ").append(q(cni.subnetEnv().map(Object::toString).orElse(""))).append('\n');
    sb.append("network = ").append(q(cni.network().toString())).append('\n');
    sb.append("ipmasq = ").append(cni.ipMasq()).append('\n');
    sb.append("conflist = ").append(q(cni.conflist().map(Object::toString).orElse(""))).append('\n');
    sb.append("bridge = ").append(q(cni.bridge())).append('\n');
    sb.append("\n[log]\nformat = ").append(q(c.agent().logFormat())).append('\n');
    sb.append("\n[metrics]\nlisten = ").append(q(c.metrics().listen().map(HostPort::toString).orElse(""))).append('\n');
    for (NetworkConfig n : c.networks()) {
      sb.append("\n[[network]]\n");
      sb.append("device = ").append(q(n.device())).append('\n');
      sb.append("vni = ").append(n.vni()).append('\n');
      sb.append("port = ").append(n.port()).append('\n');
      sb.append("underlay = ").append(q(n.underlay())).append('\n');
      sb.append("vtep_address = ").append(q(n.vtepAddress().toString())).append('\n');
      sb.append("vtep_mac = ").append(q(n.vtepMac().toString())).append('\n');
      sb.append("pod_cidr = ").append(q(n.podCidr().toString())).append('\n');
      sb.append("mtu = ").append(n.mtu()).append('\n');
    }
    return sb.toString();
  }

  private static String q(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
