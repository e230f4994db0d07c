package dev.sockact.unit.parse;

import dev.sockact.unit.ExecDirectories;
import dev.sockact.unit.ServiceUnit;

import java.util.ArrayList;
import java.util.List;

/**
 * The values of RuntimeDirectory= and its siblings ({@code config_parse_exec_directories}) and of
 * RuntimeDirectoryPreserve= ({@code config_parse_exec_preserve_mode}).
 */
final class ExecDirectoryValues {

    private ExecDirectoryValues() {
    }

    /**
     * Paths relative to the kind's base folder, specifiers expanded; an empty assignment resets the list. A path
     * that is absolute, not normalized ({@code ..}) or under {@code private} is skipped with systemd's warning.
     * The {@code PATH:LINK} form (a symbolic link to the directory, systemd 250) is refused: sockact does not make
     * those links, and a service relying on one would start without it.
     */
    static DirectiveTable.Handler<ServiceUnit.Builder> paths(ExecDirectories.Kind kind) {
        return (builder, value, context) -> {
            if (value.isBlank()) {
                builder.directories().reset(kind);
                return;
            }
            List<String> paths = new ArrayList<>();
            for (String word : ListParsers.words(value, false, value)) {
                if (word.indexOf(':') >= 0) {
                    throw InvalidValueException.fatal(kind.key() + "=" + word + ": the PATH:LINK form (a symbolic"
                            + " link to the directory) is not supported by sockact");
                }
                String path;
                try {
                    path = relative(context.expand(word, Specifiers.Table.FULL, Specifiers.PATH_MAX,
                            "Failed to resolve unit specifiers in \"%s\", ignoring: %s"), kind.key());
                } catch (InvalidValueException e) {
                    context.warn(e.getMessage());
                    continue;
                }
                paths.add(path);
            }
            builder.directories().add(kind, paths);
        };
    }

    /**
     * {@code path_simplify_and_warn(PATH_CHECK_RELATIVE)}, then the check that the path is not {@code private}
     * (where systemd keeps DynamicUser= directories).
     */
    static String relative(String path, String key) throws InvalidValueException {
        if (path.startsWith("/")) {
            throw InvalidValueException.ignoring(key + "= path is absolute, ignoring: " + path);
        }
        List<String> components = new ArrayList<>();
        for (String component : path.split("/")) {
            if (component.isEmpty() || component.equals(".")) {
                continue;
            }
            if (component.equals("..")) {
                throw InvalidValueException.ignoring(key + "= path is not normalized, ignoring: " + path);
            }
            components.add(component);
        }
        String simplified = String.join("/", components);
        if (simplified.isEmpty() || simplified.length() + 1 > Specifiers.PATH_MAX) {
            throw InvalidValueException.ignoring(key + "= path has invalid length (" + simplified.length()
                    + " bytes), ignoring.");
        }
        if (components.getFirst().equals("private")) {
            throw InvalidValueException.ignoring(key + "= path can't be 'private', ignoring assignment: " + path);
        }
        return simplified;
    }

    /** RuntimeDirectoryMode= and the others: an octal mode, as UMask=. */
    static DirectiveTable.Handler<ServiceUnit.Builder> mode(ExecDirectories.Kind kind) {
        return (builder, value, context) -> builder.directories().mode(kind, Values.mode().parse(value, context));
    }

    /**
     * DynamicUser=: a boolean. Yes runs the service as the static user of that name with PrivateTmp=yes (see the
     * daemon's DynamicUsers); the rest of the sandboxing systemd implies with it is not applied, which is said
     * once here, as for the sandboxing keys themselves.
     */
    static void dynamicUser(ServiceUnit.Builder builder, String value, ParseContext context)
            throws InvalidValueException {
        boolean yes = Values.bool().parse(value, context);
        builder.dynamicUser(yes);
        if (yes) {
            context.warnSockactOnly("DynamicUser=yes: sockact runs the service as the static user of that name"
                    + " with PrivateTmp=yes; the sandboxing systemd also implies (ProtectSystem=strict,"
                    + " ProtectHome=read-only, RemoveIPC=yes, NoNewPrivileges=yes, RestrictSUIDSGID=yes) is not"
                    + " applied.");
        }
    }

    /** {@code no}, {@code yes} (or any boolean word), {@code restart}. */
    static ValueParser<ExecDirectories.Preserve> preserve() {
        return (value, context) -> {
            if (value.equals(ExecDirectories.Preserve.RESTART.text())) {
                return ExecDirectories.Preserve.RESTART;
            }
            Boolean yes = Values.parseBoolean(value);
            if (yes == null) {
                throw InvalidValueException.ignoring("Failed to parse resource preserve mode, ignoring: " + value);
            }
            return yes ? ExecDirectories.Preserve.YES : ExecDirectories.Preserve.NO;
        };
    }
}
