package io.vxmesh.lab.testbed;

/**
 * The overlay every host of a testbed shares: VTEP device name, VNI, VXLAN UDP port, and the
 * gossip port agents listen on.
 */
public record Overlay(String device, int vni, int port, int gossipPort) {
  /** The seed walkthrough's values: vxlan-test, VNI 10001, UDP 4899; gossip on 7947. */
  public static final Overlay SEED = new Overlay("vxlan-test", 10001, 4899, 7947);

  public Overlay {
    if (device == null || device.isEmpty() || device.length() > 15) {
      throw new IllegalArgumentException("VTEP device name '" + device + "' must have 1..15 characters");
    }
    if (vni < 1 || vni > 0xffffff) {
      throw new IllegalArgumentException("VNI " + vni + " is outside 1..16777215");
    }
    if (port < 1 || port > 65535 || gossipPort < 1 || gossipPort > 65535) {
      throw new IllegalArgumentException("ports must be in 1..65535");
    }
  }
}
