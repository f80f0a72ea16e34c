package io.vxmesh.netlink;

import io.vxmesh.net.IpPrefix;

/** An interface address: {@code ip addr show dev X} → {@code inet 179.17.1.21/24}. */
public record Address(int index, IpPrefix prefix) {}
