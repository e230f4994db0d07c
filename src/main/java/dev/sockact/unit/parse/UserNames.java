package dev.sockact.unit.parse;

/** User= / Group= / SocketUser= values ({@code config_parse_user_group_compat} with relaxed name rules). */
final class UserNames {

    private UserNames() {
    }

    static ValueParser<String> userOrGroup() {
        return (value, context) -> {
            String name = context.expand(value, Specifiers.Table.FULL, 255,
                    "Failed to resolve unit specifiers in %s: %s");
            if (name.isEmpty()) {
                return "";
            }
            if (!isValidRelaxed(name)) {
                throw InvalidValueException.fatal("Invalid user/group name or numeric ID: " + name);
            }
            // config_parse_user_group_compat() of systemd 252: for the user keys (User=, SocketUser=) only.
            if (name.equals("nobody") && context.key().contains("User")) {
                context.warn("Special user nobody configured, this is not safe!");
            }
            return name;
        };
    }

    /** {@code valid_user_group_name(VALID_USER_RELAX|VALID_USER_ALLOW_NUMERIC)}. */
    static boolean isValidRelaxed(String name) {
        if (name.equals(".") || name.equals("..") || name.startsWith("-") || name.length() > 255
                || !name.strip().equals(name)) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f || c == ':' || c == '/') {
                return false;
            }
        }
        return true;
    }
}
