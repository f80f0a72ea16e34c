package io.vxmesh.gossip;

import java.util.Locale;

/**
 * Which membership protocol runs on Atomix's cluster services ({@code [gossip] protocol}).
 * Both speak only over vxmesh's authenticated transports, but not to each other: every host of a
 * mesh must run the same one (switch all hosts together).
 */
public enum GossipProtocol {
  /**
   * vxmesh's SWIM + Lifeguard ({@link io.vxmesh.swim.SwimNode}, {@link VxmeshSwimProtocol}):
   * piggybacked retransmitted broadcasts, push-pull anti-entropy, Lifeguard suspicion, protobuf
   * on the wire. The default.
   */
  VXMESH("vxmesh"),
  /** Atomix 3.1.12's own {@code SwimMembershipProtocol}, as before issue 11 (baseline, rollback). */
  ATOMIX("atomix");

  private final String key;

  GossipProtocol(String key) {
    this.key = key;
  }

  /** The config value. */
  public String key() {
    return key;
  }

  /** The protocol named by a config value; {@link IllegalArgumentException} names the choices. */
  public static GossipProtocol parse(String value) {
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    for (GossipProtocol p : values()) {
      if (p.key.equals(v)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown protocol '" + value + "' (expected \"vxmesh\" or \"atomix\")");
  }
}
