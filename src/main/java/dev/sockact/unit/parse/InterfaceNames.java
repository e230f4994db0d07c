package dev.sockact.unit.parse;

/** {@code ifname_valid()}: what Linux accepts as a network interface name. */
final class InterfaceNames {

    /** IFNAMSIZ - 1. */
    private static final int MAX_LENGTH = 15;

    private InterfaceNames() {
    }

    static boolean isValid(String name) {
        if (name.isEmpty() || name.length() > MAX_LENGTH || name.equals(".") || name.equals("..")) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= ' ' || c >= 127 || c == '/' || c == ':' || c == '%') {
                return false;
            }
        }
        return true;
    }
}
