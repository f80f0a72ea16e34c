package io.vxmesh.gossip;

import java.util.List;

/**
 * A consistent snapshot of membership: the datapath reads it after events have settled instead
 * of acting on each add/remove event (a restart with the same name must not flap routes).
 *
 * @param revision grows with every change, so readers can tell whether anything moved
 * @param complete true once the first full view arrived (joined a seed and synced, or started a
 *     new mesh); until then the datapath must not remove anything
 * @param members every known member including self, sorted by name
 */
public record MembershipView(long revision, boolean complete, List<MemberState> members) {
  public MembershipView {
    members = List.copyOf(members);
  }

  /** Members other than self whose announcement may be programmed. */
  public List<MemberState> programmablePeers() {
    return members.stream().filter(m -> !m.self() && m.status().programmable() && m.announcement() != null).toList();
  }
}
