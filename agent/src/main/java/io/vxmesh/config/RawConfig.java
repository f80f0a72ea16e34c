package io.vxmesh.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The TOML file as written: every key optional (null when absent), names exactly as in the
 * file. Jackson binds into these with unknown keys failing; {@link ConfigLoader} resolves
 * defaults and validates. Kept apart from {@link Config} so the contract type carries no
 * nulls and no Jackson annotations.
 */
record RawConfig(
    @JsonProperty("node_name") String nodeName,
    @JsonProperty("gossip") Gossip gossip,
    @JsonProperty("api") Api api,
    @JsonProperty("network") List<Network> network,
    @JsonProperty("agent") Agent agent,
    @JsonProperty("cni") Cni cni,
    @JsonProperty("log") Log log,
    @JsonProperty("metrics") Metrics metrics) {

  record Gossip(
      @JsonProperty("bind") String bind,
      @JsonProperty("advertise") String advertise,
      @JsonProperty("port") Integer port,
      @JsonProperty("join") List<String> join,
      @JsonProperty("key_file") String keyFile,
      @JsonProperty("gossip_interval_ms") Integer gossipIntervalMs,
      @JsonProperty("gossip_fanout") Integer gossipFanout,
      @JsonProperty("probe_interval_ms") Integer probeIntervalMs,
      @JsonProperty("probe_timeout_ms") Integer probeTimeoutMs,
      @JsonProperty("suspect_probes") Integer suspectProbes,
      @JsonProperty("failure_timeout_ms") Integer failureTimeoutMs,
      @JsonProperty("restart_grace_ms") Integer restartGraceMs,
      @JsonProperty("reap_failed_after_s") Integer reapFailedAfterS,
      @JsonProperty("max_members") Integer maxMembers,
      @JsonProperty("protocol") String protocol) {}

  record Api(@JsonProperty("socket") String socket) {}

  record Network(
      @JsonProperty("device") String device,
      @JsonProperty("vni") Long vni,
      @JsonProperty("port") Integer port,
      @JsonProperty("underlay") String underlay,
      @JsonProperty("vtep_address") String vtepAddress,
      @JsonProperty("vtep_mac") String vtepMac,
      @JsonProperty("pod_cidr") String podCidr,
      @JsonProperty("mtu") Integer mtu) {}

  record Cni(
      @JsonProperty("subnet_env") String subnetEnv,
      @JsonProperty("network") String network,
      @JsonProperty("ipmasq") Boolean ipMasq,
      @JsonProperty("conflist") String conflist,
      @JsonProperty("bridge") String bridge) {}

  record Agent(
      @JsonProperty("resync_interval_s") Integer resyncIntervalS,
      @JsonProperty("log_level") String logLevel,
      @JsonProperty("vxlan_filter") Boolean vxlanFilter) {}

  record Log(@JsonProperty("format") String format) {}

  record Metrics(@JsonProperty("listen") String listen) {}
}
