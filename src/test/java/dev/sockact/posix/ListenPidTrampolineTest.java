package dev.sockact.posix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.sockact.testing.FdIo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The LISTEN_PID trampoline: its bytes are what its assembly listing assembles to, its ELF maps them, and the
 * program it execs gets LISTEN_PID and systemd 259's LISTEN_PIDFDID right, or no LISTEN_PIDFDID at all where the
 * trampoline cannot open a pidfd.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ListenPidTrampolineTest {
    private static final Path LISTING = Path.of("src/main/asm/listen-pid-trampoline.s");

    @TempDir
    Path temp;

    private static boolean onPath(String program) {
        return List.of("/usr/bin/" + program, "/bin/" + program).stream().anyMatch(p -> Files.isExecutable(Path.of(p)));
    }

    private static boolean x86_64() {
        String arch = System.getProperty("os.arch");
        return "amd64".equals(arch) || "x86_64".equals(arch);
    }

    private static void run(Path directory, String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(String.join(" ", command) + ": " + output).isZero();
    }

    /** as(1) and objcopy(1) (binutils, in .ci/packages.txt) turn the listing into the bytes the class holds. */
    @Test
    void theCodeIsWhatItsAssemblyListingAssemblesTo() throws Exception {
        assumeThat(onPath("as") && onPath("objcopy")).as("binutils").isTrue();
        Path object = temp.resolve("trampoline.o");
        Path text = temp.resolve("trampoline.bin");
        run(temp, "as", "--64", "-o", object.toString(), LISTING.toAbsolutePath().toString());
        run(temp, "objcopy", "-O", "binary", "-j", ".text", object.toString(), text.toString());

        assertThat(Files.readAllBytes(text)).isEqualTo(ListenPidTrampoline.X86_64_CODE);
    }

    @Test
    void theElfMapsTheWholeFileAndStartsAtTheCode() {
        byte[] elf = ListenPidTrampoline.elf();
        ByteBuffer b = ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN);
        int codeOffset = 64 + 56;

        assertThat(elf).hasSize(codeOffset + ListenPidTrampoline.X86_64_CODE.length);
        assertThat(new String(elf, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("ELF");
        assertThat(b.getShort(16)).as("ET_EXEC").isEqualTo((short) 2);
        assertThat(b.getShort(18)).as("EM_X86_64").isEqualTo((short) 62);
        assertThat(b.getLong(24)).as("e_entry").isEqualTo(0x400000L + codeOffset);
        assertThat(b.getInt(64)).as("PT_LOAD").isEqualTo(1);
        assertThat(b.getInt(68)).as("R+X").isEqualTo(5);
        assertThat(b.getLong(64 + 32)).as("p_filesz").isEqualTo(elf.length);
        assertThat(ByteBuffer.wrap(elf, codeOffset, elf.length - codeOffset).slice())
                .isEqualTo(ByteBuffer.wrap(ListenPidTrampoline.X86_64_CODE));
    }

    /**
     * systemd 259: LISTEN_PIDFDID is the inode number of a pidfd for LISTEN_PID. The child reports both, closes its
     * stdout and waits on stdin; while it is alive, we open a pidfd for its pid ourselves and compare.
     */
    @Test
    void listenPidfdIdIsTheInodeOfAPidfdTheParentOpensForTheChild() throws ErrnoException {
        assumeThat(x86_64()).as("x86_64").isTrue();
        assumeThat(Pidfd.hasUniqueInodes()).as("pidfs (Linux 6.9)").isTrue();
        try (Pipes.Pipe output = Pipes.pipe(0); Pipes.Pipe input = Pipes.pipe(0)) {
            SpawnRequest request = SpawnRequest.of("/bin/sh",
                            List.of("sh", "-c", "echo \"$$ $LISTEN_PID $LISTEN_PIDFDID\"; exec >&-; read line; exit 0"))
                    .environment(List.of("LISTEN_PIDFDID=1", "PATH=/usr/bin:/bin")).setListenPid(true)
                    .stdin(input.readEnd()).stdout(output.writeEnd()).build();
            int pid = Spawner.spawn(request);
            try (Pidfd child = Pidfd.open(pid)) {
                output.writeEnd().close();
                input.readEnd().close();
                String line = FdIo.readAllText(output.readEnd()).strip();   // until it closes its stdout
                OptionalLong parentsView = Pidfd.inodeId(pid);
                input.writeEnd().close();
                assertThat(child.await().success()).isTrue();

                assertThat(parentsView).isPresent();
                assertThat(line).isEqualTo(pid + " " + pid + " " + Long.toUnsignedString(parentsView.getAsLong()));
            }
        }
    }

    /**
     * Where pidfd_open fails in the child (here a seccomp filter, installed by python3 before it execs the
     * trampoline, makes it ENOSYS), the entry is dropped rather than left as placeholder: the program gets
     * LISTEN_PID and the rest of the environment, and no LISTEN_PIDFDID.
     */
    @Test
    void aPidfdTheChildCannotOpenDropsTheEntry() throws Exception {
        assumeThat(x86_64()).as("x86_64").isTrue();
        assumeThat(Path.of("/usr/bin/python3")).as("python3").isExecutable();
        String trampoline = ListenPidTrampoline.path();
        assumeThat(trampoline).as("memfd exec").isNotNull();
        String python = """
                import ctypes, os, struct, sys
                # ld arch; jeq x86_64 else allow; ld nr; jeq pidfd_open else allow; ret ERRNO|ENOSYS; ret ALLOW
                code = [(0x20, 0, 0, 4), (0x15, 0, 3, 0xc000003e), (0x20, 0, 0, 0), (0x15, 0, 1, 434),
                        (0x06, 0, 0, 0x00050000 | 38), (0x06, 0, 0, 0x7fff0000)]
                filters = ctypes.create_string_buffer(b''.join(struct.pack('HBBI', *c) for c in code))
                prog = struct.pack('HxxxxxxQ', len(code), ctypes.addressof(filters))
                libc = ctypes.CDLL(None, use_errno=True)
                assert libc.prctl(38, 1, 0, 0, 0) == 0          # PR_SET_NO_NEW_PRIVS
                assert libc.prctl(22, 2, ctypes.c_char_p(prog), 0, 0) == 0, ctypes.get_errno()  # SECCOMP_MODE_FILTER
                env = {'LISTEN_PID': '?' * 10, 'LISTEN_PIDFDID': '?' * 20, 'PATH': '/usr/bin:/bin', 'KEEP': 'me'}
                os.execve(sys.argv[1], [sys.argv[2]] + sys.argv[2:], env)
                """;
        Process process = new ProcessBuilder("/usr/bin/python3", "-c", python, trampoline, "/bin/sh", "-c",
                "echo \"$$ $LISTEN_PID\"; env | sort").redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();

        String[] lines = output.split("\n");
        String pid = Long.toString(process.pid());
        assertThat(lines[0]).isEqualTo(pid + " " + pid);
        assertThat(output).contains("KEEP=me\n", "PATH=/usr/bin:/bin\n", "LISTEN_PID=" + pid + "\n")
                .doesNotContain("LISTEN_PIDFDID", "?");
    }
}
