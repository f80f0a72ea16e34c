package io.vxmesh.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * What third-party code target/vxmesh.jar (the shaded jar the package ships) carries, read from
 * the META-INF/maven/GROUP/ARTIFACT/pom.properties the shade plugin keeps. Writes the list to
 * target/vxmesh-jar-dependencies.txt (and stdout) and fails if a version with a known CVE is inside.
 */
class ShippedJarTest {
  static final Path JAR = Path.of(System.getProperty("vxmesh.jar", "target/vxmesh.jar"));
  static final Pattern POM_PROPERTIES = Pattern.compile("META-INF/maven/([^/]+)/([^/]+)/pom\\.properties");

  /** groupId:artifactId -> version, sorted. */
  static Map<String, String> contents(Path jar) throws IOException {
    Map<String, String> m = new TreeMap<>();
    try (ZipFile z = new ZipFile(jar.toFile())) {
      for (ZipEntry e : z.stream().toList()) {
        Matcher pm = POM_PROPERTIES.matcher(e.getName());
        if (!pm.matches()) {
          continue;
        }
        Properties p = new Properties();
        try (InputStream in = z.getInputStream(e)) {
          p.load(in);
        }
        m.put(p.getProperty("groupId", pm.group(1)) + ":" + p.getProperty("artifactId", pm.group(2)), p.getProperty("version"));
      }
    }
    return m;
  }

  /** Numeric comparison of dotted versions, ignoring qualifiers ("33.4.8-jre" is 33.4.8). */
  static int compare(String a, String b) {
    String[] x = a.split("[-.]");
    String[] y = b.split("[-.]");
    for (int i = 0; i < Math.max(x.length, y.length); i++) {
      int u = i < x.length && x[i].matches("\\d+") ? Integer.parseInt(x[i]) : 0;
      int v = i < y.length && y[i].matches("\\d+") ? Integer.parseInt(y[i]) : 0;
      if (u != v) {
        return Integer.compare(u, v);
      }
    }
    return 0;
  }

  /** The lowest version without the known CVEs, per artifact. */
  static final Map<String, String> MINIMUM = Map.of(
      // CVE-2018-10237 (fixed 24.1.1), CVE-2020-8908 (30.0), CVE-2023-2976 (32.0.0)
      "com.google.guava:guava", "32.0",
      // CVE-2021-47621 (fixed 4.8.112)
      "io.github.classgraph:classgraph", "4.8.112",
      // CVE-2025-48924 (fixed 3.18.0)
      "org.apache.commons:commons-lang3", "3.18.0");

  @Test
  void listsThirdPartyVersionsAndNoneIsKnownVulnerable() throws IOException {
    assertTrue(Files.isRegularFile(JAR), JAR + " is built before the test phase");
    Map<String, String> inside = contents(JAR);
    List<String> lines = new ArrayList<>();
    inside.forEach((ga, v) -> lines.add(ga + ":" + v));
    Files.write(JAR.resolveSibling("vxmesh-jar-dependencies.txt"), lines);
    System.out.println("vxmesh.jar carries:\n  " + String.join("\n  ", lines));

    assertFalse(inside.isEmpty(), "the shaded jar keeps its dependencies' pom.properties");
    List<String> bad = new ArrayList<>();
    MINIMUM.forEach((ga, min) -> {
      String v = inside.get(ga);
      if (v != null && compare(v, min) < 0) {
        bad.add(ga + ":" + v + " (needs >= " + min + ")");
      }
    });
    assertEquals(List.of(), bad, "known-vulnerable versions in vxmesh.jar");
    // Both are on Atomix's path: a change that dropped them would make this check vacuous.
    assertTrue(inside.containsKey("com.google.guava:guava") && inside.containsKey("io.github.classgraph:classgraph"), inside.toString());
  }

  @Test
  void versionsCompareNumerically() {
    assertTrue(compare("22.0", "32.0") < 0);
    assertTrue(compare("33.4.8-jre", "32.0") > 0);
    assertTrue(compare("32.0.0-jre", "32.0") == 0);
    assertTrue(compare("4.2.3", "4.8.112") < 0);
    assertTrue(compare("4.8.99", "4.8.112") < 0);
    assertTrue(compare("4.8.184", "4.8.112") > 0);
  }
}
