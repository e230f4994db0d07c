package dev.sockact.unit.parse;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** systemd's unit name escaping: {@code -} stands for {@code /}, {@code \xNN} for any other byte. */
final class UnitNames {

    private UnitNames() {
    }

    /** {@code unit_name_unescape()}. */
    static String unescape(String escaped) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < escaped.length(); i++) {
            char c = escaped.charAt(i);
            if (c == '-') {
                out.write('/');
            } else if (c == '\\' && i + 3 < escaped.length() && escaped.charAt(i + 1) == 'x'
                    && isHex(escaped.charAt(i + 2)) && isHex(escaped.charAt(i + 3))) {
                out.write(Integer.parseInt(escaped.substring(i + 2, i + 4), 16));
                i += 3;
            } else {
                byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                out.write(bytes, 0, bytes.length);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** {@code unit_name_path_unescape()}: the unescaped path with a leading {@code /}; {@code -} alone is the root. */
    static String pathUnescape(String escaped) {
        String unescaped = unescape(escaped);
        if (unescaped.isEmpty() || unescaped.equals("/")) {
            return "/";
        }
        return unescaped.startsWith("/") ? unescaped : "/" + unescaped;
    }

    private static boolean isHex(char c) {
        return Character.digit(c, 16) >= 0 && c < 128;
    }
}
