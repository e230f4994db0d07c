package dev.sockact.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;

/**
 * Renders the man pages in {@code man/} from the commands' own definitions: sockctl's picocli model (every
 * subcommand's usage) and the help texts of socket-activate, socket-proxyd and sockactd, so that a page cannot
 * say something the command does not. {@code man/generate} writes them; {@code ManPagesTest} fails when the
 * committed pages are stale. Not a user command.
 */
public final class ManPages {
    private static final String SOURCE = "sockact " + Version.NUMBER;

    private ManPages() {
        throw new AssertionError();
    }

    /** Writes every page into the folder given as the only argument. */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "man");
        Files.createDirectories(dir);
        for (Map.Entry<String, String> page : render().entrySet()) {
            Files.writeString(dir.resolve(page.getKey()), page.getValue());
        }
    }

    /** File name to roff text, for every command. */
    public static Map<String, String> render() {
        Map<String, String> pages = new LinkedHashMap<>();
        pages.put("socket-activate.1", page("socket-activate", 1, "listen on sockets and run a program on connection",
                SocketActivateCommand.HELP, "docs/socket-activate.md", "systemd-socket-activate(1)"));
        pages.put("socket-proxyd.8", page("socket-proxyd", 8, "forward socket-activated connections to a target",
                SocketProxydCommand.HELP, "docs/socket-proxyd.md", "systemd-socket-proxyd(8)"));
        pages.put("sockactd.8", page("sockactd", 8, "the socket-unit manager: socket activation without systemd",
                SockactdCommand.HELP, "docs/sockactd.md", "systemd.socket(5)"));
        pages.put("sockctl.1", page("sockctl", 1, "list, inspect, start and stop the units of sockactd",
                sockctlUsage(), "docs/sockctl.md", "systemctl(1)"));
        return pages;
    }

    /** The root usage, then every subcommand's, as picocli prints them for --help. */
    private static String sockctlUsage() {
        CommandLine root = new CommandLine(new SockctlMain());
        StringBuilder text = new StringBuilder(root.getUsageMessage(CommandLine.Help.Ansi.OFF));
        for (Map.Entry<String, CommandLine> sub : root.getSubcommands().entrySet()) {
            if (sub.getValue().getCommandName().equals(sub.getKey())) {   // skip aliases
                text.append("\n").append(sub.getValue().getUsageMessage(CommandLine.Help.Ansi.OFF));
            }
        }
        return text.toString();
    }

    private static String page(String name, int section, String summary, String usage, String doc, String peer) {
        return ".TH " + name.toUpperCase(Locale.ROOT) + " " + section + " \"\" \"" + SOURCE + "\"\n"
                + ".SH NAME\n" + name + " \\- " + summary + "\n"
                + ".SH SYNOPSIS AND OPTIONS\n.nf\n" + escape(usage.strip()) + "\n.fi\n"
                + ".SH SEE ALSO\n" + doc + " in the sockact source tree, " + peer + "\n";
    }

    /** roff: a backslash is written \e; a line may not start with "." or "'". */
    private static String escape(String text) {
        StringBuilder out = new StringBuilder();
        for (String line : text.replace("\\", "\\e").split("\n", -1)) {
            out.append(line.startsWith(".") || line.startsWith("'") ? "\\&" + line : line).append('\n');
        }
        return out.toString().stripTrailing();
    }
}
