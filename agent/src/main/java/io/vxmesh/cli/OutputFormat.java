package io.vxmesh.cli;

/** {@code -o table|json}: aligned columns for people, the proto3 JSON mapping for machines. */
public enum OutputFormat {
  table,
  json
}
