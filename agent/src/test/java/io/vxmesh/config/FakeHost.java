package io.vxmesh.config;

import io.vxmesh.net.IpAddresses;
import io.vxmesh.net.IpPrefix;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** A described host: one default-route device with addresses (each in a /24, gateway .1) and an MTU, and nothing else. */
record FakeHost(String hostName, String device, List<String> addresses, int deviceMtu) implements HostInfo {
  static FakeHost master1() {
    return new FakeHost("master1", "enp0s5", List.of("10.211.55.5", "10.211.55.99"), 1500);
  }

  @Override
  public Optional<String> defaultRouteDevice() {
    return Optional.ofNullable(device);
  }

  @Override
  public List<String> devices() {
    return device == null ? List.of() : List.of(device);
  }

  @Override
  public List<Inet4Address> ipv4Addresses() {
    return device == null ? List.of() : ipv4Addresses(device);
  }

  @Override
  public List<Inet4Address> ipv4Addresses(String dev) {
    return dev.equals(device) ? addresses.stream().map(IpAddresses::parseV4).toList() : List.of();
  }

  /** Every address of the described host sits in a /24. */
  @Override
  public List<IpPrefix> ipv4Subnets(String dev) {
    return ipv4Addresses(dev).stream().map(a -> new IpPrefix(a, 24)).toList();
  }

  /** The default gateway is .1 of the first address's /24 (10.211.55.1 for master1). */
  @Override
  public Optional<Inet4Address> defaultGateway() {
    if (addresses.isEmpty()) {
      return Optional.empty();
    }
    byte[] b = IpAddresses.parseV4(addresses.get(0)).getAddress();
    b[3] = 1;
    return Optional.of(IpAddresses.v4(b));
  }

  @Override
  public Optional<String> deviceHolding(InetAddress address) {
    return ipv4Addresses(device == null ? "" : device).contains(address) ? Optional.of(device) : Optional.empty();
  }

  @Override
  public OptionalInt mtu(String dev) {
    return Map.of(device == null ? "" : device, deviceMtu).containsKey(dev) ? OptionalInt.of(deviceMtu) : OptionalInt.empty();
  }
}
