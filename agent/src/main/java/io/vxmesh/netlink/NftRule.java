package io.vxmesh.netlink;

import java.util.List;

/** One rule of chain {@code FAMILY TABLE CHAIN}: its kernel handle and its expressions in order. */
public record NftRule(int family, String table, String chain, long handle, List<NftExpr> exprs) {
  public NftRule {
    exprs = List.copyOf(exprs);
  }

  /** The expressions with counters zeroed: what the rule does, whatever it has counted. */
  public List<NftExpr> shape() {
    return exprs.stream().map(e -> e instanceof NftExpr.Counter ? (NftExpr) new NftExpr.Counter(0, 0) : e).toList();
  }

  /** Sum of the packets of its counter expressions. */
  public long packets() {
    return exprs.stream().filter(e -> e instanceof NftExpr.Counter).mapToLong(e -> ((NftExpr.Counter) e).packets()).sum();
  }

  /** Sum of the bytes of its counter expressions. */
  public long bytes() {
    return exprs.stream().filter(e -> e instanceof NftExpr.Counter).mapToLong(e -> ((NftExpr.Counter) e).bytes()).sum();
  }
}
