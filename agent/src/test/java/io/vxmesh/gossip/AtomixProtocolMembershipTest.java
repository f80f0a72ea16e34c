package io.vxmesh.gossip;

/**
 * Every {@link AtomixMembershipTest} again with {@code [gossip] protocol = "atomix"}: Atomix
 * 3.1.12's own SWIM is still shipped (the "before" baseline, and a rollback), so its join, change,
 * leave, restart, partition and forgery behaviour must keep holding.
 */
class AtomixProtocolMembershipTest extends AtomixMembershipTest {
  @Override
  GossipProtocol protocol() {
    return GossipProtocol.ATOMIX;
  }
}
