package io.alstream.connectors.registry.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;

/** Checks an HTTP {@code Authorization: Basic} header against the configured users. */
final class BasicAuthCheck {
    private final Map<String, String> passwords;

    BasicAuthCheck(Map<String, String> passwords) {
        this.passwords = Map.copyOf(passwords);
    }

    boolean enabled() {
        return !passwords.isEmpty();
    }

    /** @return the user name when the header names a known user with the right password, else null */
    String authenticate(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorizationHeader.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return null;
        }
        String user = decoded.substring(0, colon);
        String expected = passwords.get(user);
        // compare in constant time, and do the work even for unknown users, so timing tells nothing
        byte[] given = decoded.substring(colon + 1).getBytes(StandardCharsets.UTF_8);
        byte[] want = (expected == null ? "\u0000unknown-user" : expected).getBytes(StandardCharsets.UTF_8);
        boolean ok = MessageDigest.isEqual(given, want) && expected != null;
        return ok ? user : null;
    }
}
