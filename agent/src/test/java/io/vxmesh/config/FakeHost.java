package io.vxmesh.config;

import io.vxmesh.net.IpAddresses;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** A described host: one default-route device with addresses and an MTU, and nothing else. */
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

  @Override
  public Optional<String> deviceHolding(InetAddress address) {
    return ipv4Addresses(device == null ? "" : device).contains(address) ? Optional.of(device) : Optional.empty();
  }

  @Override
  public OptionalInt mtu(String dev) {
    return Map.of(device == null ? "" : device, deviceMtu).containsKey(dev) ? OptionalInt.of(deviceMtu) : OptionalInt.empty();
  }
}
