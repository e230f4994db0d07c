package dev.sockact.unit.parse;

/** {@code path_simplify_and_warn(…, PATH_CHECK_ABSOLUTE)} as the path-valued keys use it. */
final class AbsolutePaths {

    private AbsolutePaths() {
    }

    /**
     * Returns {@code path} simplified (duplicate and trailing slashes, {@code /./} removed), or fails with
     * systemd's "KEY= path is not absolute, ignoring: VALUE" or "... is not normalized ...".
     */
    static String check(String path, String key, String rawValue) throws InvalidValueException {
        if (!path.startsWith("/")) {
            throw InvalidValueException.ignoring(key + "= path is not absolute, ignoring: " + rawValue);
        }
        StringBuilder out = new StringBuilder();
        for (String component : path.split("/")) {
            if (component.isEmpty() || component.equals(".")) {
                continue;
            }
            if (component.equals("..")) {
                throw InvalidValueException.ignoring(key + "= path is not normalized, ignoring: " + rawValue);
            }
            out.append('/').append(component);
        }
        if (out.length() + 1 > Specifiers.PATH_MAX) {
            throw InvalidValueException.ignoring(key + "= path is not valid, ignoring: " + rawValue);
        }
        return out.isEmpty() ? "/" : out.toString();
    }
}
