package io.vxmesh.gossip;

import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import java.net.InetAddress;
import java.util.List;

/**
 * What one member announced, typed: made from the wire bytes in exactly one place
 * ({@link AnnouncementCodec#open}, after the signature verified) and turned back into them in
 * one place ({@link AnnouncementCodec#seal}). Everything past the codec — tracker, validator,
 * desired state, API — reads this, never the protobuf, so no other code handles address bytes
 * or prefix lengths. A well-formed value is all a record can hold: malformed bytes never get
 * this far (the codec reports them and the member is UNTRUSTED).
 *
 * @param nodeName the member id it claims to be (the validator checks it against the transport)
 * @param hostIp underlay address; must equal the member's gossip address
 * @param networks one entry per overlay network (VNI)
 * @param generation grows with every change of the member's announcement
 * @param state ALIVE, or a departure in progress
 * @param claimedAtMs when the member says it first claimed its pod CIDRs; written by the claimant
 *     itself, so it only breaks ties between claims no one upholds (docs/claims.md)
 * @param version agent version
 * @param upheld members whose claims this member upholds against a contender (sorted names; empty
 *     unless a claim is contested): the witnesses that decide conflicts (docs/claims.md)
 */
public record Announced(
    String nodeName, InetAddress hostIp, List<Network> networks, long generation, State state, long claimedAtMs,
    String version, List<String> upheld) {

  /** An announcement that upholds nobody. */
  public Announced(
      String nodeName, InetAddress hostIp, List<Network> networks, long generation, State state, long claimedAtMs,
      String version) {
    this(nodeName, hostIp, networks, generation, state, claimedAtMs, version, List.of());
  }

  /** What the member is doing; wire values 0, 1, 2. */
  public enum State {
    ALIVE,
    /** Deliberate departure: peers remove it at once. */
    LEAVING,
    /** SIGTERM without leave: peers keep its entries for the restart grace. */
    RESTARTING
  }

  /**
   * One overlay network as the member sees it.
   *
   * @param vni VXLAN network identifier
   * @param port VXLAN UDP port
   * @param vtepMac the member's VTEP device MAC
   * @param vtepIp the member's VTEP address with the shared VTEP prefix length, e.g. 179.17.1.21/24
   * @param podCidr the member's pod network (host bits cleared), e.g. 10.234.111.0/24
   * @param mtu VTEP MTU
   */
  public record Network(int vni, int port, MacAddress vtepMac, IpPrefix vtepIp, IpPrefix podCidr, int mtu) {
    public Network {
      if (vtepMac == null || vtepIp == null || podCidr == null) {
        throw new IllegalArgumentException("VTEP MAC, VTEP IP and pod CIDR are required");
      }
      podCidr = podCidr.network();
    }
  }

  public Announced {
    if (nodeName == null || hostIp == null || state == null) {
      throw new IllegalArgumentException("node name, host IP and state are required");
    }
    networks = List.copyOf(networks);
    version = version == null ? "" : version;
    upheld = upheld == null ? List.of() : List.copyOf(new java.util.TreeSet<>(upheld));
  }

  public Announced withState(State s) {
    return new Announced(nodeName, hostIp, networks, generation, s, claimedAtMs, version, upheld);
  }

  public Announced withGeneration(long g) {
    return new Announced(nodeName, hostIp, networks, g, state, claimedAtMs, version, upheld);
  }

  public Announced withClaimedAtMs(long ms) {
    return new Announced(nodeName, hostIp, networks, generation, state, ms, version, upheld);
  }

  public Announced withNetworks(List<Network> n) {
    return new Announced(nodeName, hostIp, n, generation, state, claimedAtMs, version, upheld);
  }

  public Announced withVersion(String v) {
    return new Announced(nodeName, hostIp, networks, generation, state, claimedAtMs, v, upheld);
  }

  public Announced withUpheld(List<String> u) {
    return new Announced(nodeName, hostIp, networks, generation, state, claimedAtMs, version, u);
  }
}
