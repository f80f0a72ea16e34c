package io.vxmesh.datapath;

import static io.vxmesh.datapath.VxlanFilter.CHAIN;
import static io.vxmesh.datapath.VxlanFilter.FAMILY;
import static io.vxmesh.datapath.VxlanFilter.SET;
import static io.vxmesh.datapath.VxlanFilter.TABLE;

import io.vxmesh.netlink.NftExpr;
import io.vxmesh.netlink.NftRule;
import io.vxmesh.netlink.NftTransaction;
import java.net.Inet4Address;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The pure half of the VXLAN filter: what to write so that the kernel's {@link FilterState}
 * becomes the desired ports and members, touching only what differs. Membership changes are
 * element additions and deletions; a missing table, chain, set or rule is added back; a chain
 * or set of the wrong shape (someone re-declared it) makes the whole table be rebuilt in the
 * same transaction (it is vxmesh's own table, and the kernel cannot change a chain's hook or a
 * set's type in place). Rules in the chain that are not one of the desired rules are deleted.
 */
public final class FilterDiff {
  private FilterDiff() {}

  /**
   * The changes, in transaction order, and what each one repairs or updates.
   *
   * @param rebuild the table is deleted and made again
   * @param tableAdd the table is missing (or rebuilt)
   * @param chainAdd the chain is missing (or rebuilt)
   * @param setAdd the set is missing (or rebuilt)
   * @param rulesDel handles of rules to delete (not desired, or duplicates)
   * @param portsAdd ports whose rule is missing
   * @param membersAdd addresses to add to the set
   * @param membersDel addresses to delete from the set
   */
  public record Plan(boolean rebuild, boolean tableAdd, boolean chainAdd, boolean setAdd, List<Long> rulesDel,
      List<Integer> portsAdd, List<Inet4Address> membersAdd, List<Inet4Address> membersDel) {
    public boolean empty() {
      return !rebuild && !tableAdd && !chainAdd && !setAdd && rulesDel.isEmpty() && portsAdd.isEmpty()
          && membersAdd.isEmpty() && membersDel.isEmpty();
    }

    /** The kernel objects this plan writes that are not membership changes: table, chain, set, rule. */
    public List<String> structure() {
      List<String> out = new ArrayList<>();
      if (rebuild) {
        out.add("table(rebuilt)");
      } else if (tableAdd) {
        out.add("table");
      }
      if (chainAdd && !rebuild && !tableAdd) {
        out.add("chain");
      }
      if (setAdd && !rebuild && !tableAdd) {
        out.add("set");
      }
      if ((!portsAdd.isEmpty() || !rulesDel.isEmpty()) && !rebuild && !tableAdd && !chainAdd) {
        out.add("rule");
      }
      return out;
    }

    /** Adds this plan's changes to {@code tx}, in an order the kernel accepts in one batch. */
    void addTo(NftTransaction tx) {
      if (rebuild) {
        tx.tableDel(FAMILY, TABLE);
      }
      if (tableAdd) {
        tx.tableAdd(FAMILY, TABLE);
      }
      if (chainAdd) {
        tx.chainAdd(VxlanFilter.chain());
      }
      if (setAdd) {
        tx.setAdd(VxlanFilter.set());
      }
      tx.elemDel(FAMILY, TABLE, SET, membersDel);
      tx.elemAdd(FAMILY, TABLE, SET, membersAdd);
      for (long h : rulesDel) {
        tx.ruleDel(FAMILY, TABLE, CHAIN, h);
      }
      for (int port : portsAdd) {
        tx.ruleAdd(VxlanFilter.rule(port));
      }
    }
  }

  private static final Comparator<Inet4Address> BY_BYTES = Comparator.comparing(a -> Integer.toUnsignedLong(
      java.nio.ByteBuffer.wrap(a.getAddress()).getInt()));

  /**
   * The plan for {@code ports} and {@code members}. With {@code allowRemove=false} (before the
   * first complete membership view) no member is deleted from the set.
   */
  public static Plan compute(FilterState k, Set<Integer> ports, Set<Inet4Address> members, boolean allowRemove) {
    boolean chainOk = k.chain() != null && k.chain().equals(withHandle(VxlanFilter.chain(), k.chain().handle()));
    boolean setOk = k.set() != null && k.set().equals(VxlanFilter.set());
    boolean rebuild = k.table() && ((k.chain() != null && !chainOk) || (k.set() != null && !setOk));
    boolean fresh = rebuild || !k.table();
    boolean chainAdd = fresh || k.chain() == null;
    boolean setAdd = fresh || k.set() == null;

    List<Long> rulesDel = new ArrayList<>();
    TreeSet<Integer> missing = new TreeSet<>(ports);
    if (!chainAdd) {
      Map<List<NftExpr>, Integer> wanted = new HashMap<>();
      ports.forEach(p -> wanted.put(VxlanFilter.rule(p).shape(), p));
      for (NftRule r : k.rules()) {
        Integer port = wanted.get(r.shape());
        if (port != null && missing.remove(port)) {
          continue; // a desired rule, first of its kind: kept with its counter
        }
        rulesDel.add(r.handle());
      }
    }

    TreeSet<Inet4Address> add = new TreeSet<>(BY_BYTES);
    TreeSet<Inet4Address> del = new TreeSet<>(BY_BYTES);
    if (setAdd) {
      add.addAll(members);
    } else {
      members.stream().filter(m -> !k.members().contains(m)).forEach(add::add);
      if (allowRemove) {
        k.members().stream().filter(m -> !members.contains(m)).forEach(del::add);
      }
    }
    return new Plan(rebuild, fresh, chainAdd, setAdd, rulesDel, List.copyOf(missing), List.copyOf(add), List.copyOf(del));
  }

  private static io.vxmesh.netlink.NftChain withHandle(io.vxmesh.netlink.NftChain c, long handle) {
    return new io.vxmesh.netlink.NftChain(c.family(), c.table(), c.name(), c.type(), c.hook(), c.priority(), c.policy(), handle);
  }
}
