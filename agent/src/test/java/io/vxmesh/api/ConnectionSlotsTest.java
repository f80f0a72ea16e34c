package io.vxmesh.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** The admission rule alone: per-uid quota, shared non-root share, root's reserve, release. */
class ConnectionSlotsTest {
  @Test
  void perUidQuotaSharedNonRootShareAndRootAlwaysGetsIn() {
    ConnectionSlots s = new ConnectionSlots(6, 4, 2);
    assertNull(s.admit(1000));
    assertNull(s.admit(1000));
    assertEquals("too many API connections from uid 1000 (2 open, limit 2 per user)", s.admit(1000));
    assertNull(s.admit(1001));
    assertNull(s.admit(1001));
    assertEquals("all 4 API connections for non-root users are in use (root still gets in)", s.admit(1002));
    assertNull(s.admit(0));
    assertNull(s.admit(0));
    assertEquals("the agent serves 6 API connections, its limit", s.admit(0));
    assertEquals(2, s.openBy(0));
    s.release(1000);
    assertNull(s.admit(1002), "a freed slot goes to the next user");
    assertEquals(1, s.openBy(1000));
    s.release(0);
    assertNull(s.admit(0));
    assertEquals(6, s.open());
  }
}
