package io.vxmesh.datapath;

import io.vxmesh.net.IpPrefix;
import io.vxmesh.net.MacAddress;
import java.net.Inet4Address;

/**
 * One remote host on one VTEP device, i.e. exactly four kernel objects (see {@link DatapathDiff}):
 * <pre>
 * ip neigh replace {vtepIp} lladdr {vtepMac} dev {vtep} nud permanent
 * bridge fdb replace {vtepMac} dst {hostIp} dev {vtep} self permanent
 * ip nexthop replace id {nexthopId(vtepIp)} via {vtepIp} dev {vtep} onlink proto 118
 * ip route replace {podCidr} nhid {nexthopId(vtepIp)} proto 118
 * </pre>
 *
 * @param name node name of the peer (for logs and the Routes API)
 */
public record Peer(String name, Inet4Address hostIp, MacAddress vtepMac, Inet4Address vtepIp, IpPrefix podCidr) {}
