package io.vxmesh.swim;

/**
 * How a {@link SwimNode} reaches its peers. The protocol never opens sockets: the agent adapts
 * Atomix's unicast (datagrams) and messaging (streams) services to this, the simulator its
 * virtual network. Inbound traffic goes the other way, into {@link SwimNode#onDatagram} and
 * {@link SwimNode#onStream}, on the scheduler's thread.
 *
 * <p>Authentication is the transport's business: what it hands the node is trusted to come from
 * a cluster member; what fails to decode is dropped and counted by the node.
 */
public interface Transport {
  /** Best effort, unordered, at most {@link SwimConfig#maxPacketBytes()} bytes. May be lost. */
  void sendDatagram(String address, byte[] packet);

  /**
   * Reliable and ordered (TCP-like), any size; used for push-pull state sync and join. A failure
   * is silent: the node retries by its own timers.
   */
  void sendStream(String address, byte[] message);
}
