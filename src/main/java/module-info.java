/**
 * sockact: socket activation and socket forwarding for any Linux machine.
 *
 * <p>Native calls go through java.lang.foreign; the launchers grant native
 * access to this module only ({@code --enable-native-access=dev.sockact}).
 */
module dev.sockact {
    requires info.picocli;
    requires jdk.unsupported;

    opens dev.sockact.cli to info.picocli;
    opens dev.sockact.cli.sockctl to info.picocli;

    provides System.LoggerFinder with dev.sockact.log.ConsoleLoggerFinder;
}
