# The LISTEN_PID trampoline (dev.sockact.posix.ListenPidTrampoline), x86_64 Linux, no libc.
# Its bytes are copied into ListenPidTrampoline.X86_64_CODE; ListenPidTrampolineTest assembles this file
# and checks that they are the same:
#   as --64 -o t.o listen-pid-trampoline.s && objdump -d t.o
#
# At entry the stack holds argc, argv[], NULL, envp[], NULL. argv[0] is the program's path, argv[1..] its argv.
# envp[0] is "LISTEN_PID=" + 10 placeholder bytes: overwritten with our pid. envp[1] may be "LISTEN_PIDFDID="
# + 20 placeholder bytes: overwritten with the inode number of a pidfd for our pid (systemd 259's pidfd ID), or,
# if pidfd_open or fstat fails, dropped (envp[0] moves into envp[1] and the program gets envp + 1).
# Then the program is exec'd in place (same pid, same fds); if that fails, exit_group(127), as a shell does.

        .text
        .globl  _start
_start:
        mov     (%rsp), %rcx                    # argc
        lea     8(%rsp), %r10                   # argv
        lea     8(%r10,%rcx,8), %r9             # envp
        mov     $39, %eax                       # getpid()
        syscall
        mov     %rax, %r12                      # the pid, for pidfd_open
        mov     (%r9), %rdi                     # envp[0], the LISTEN_PID placeholder
        add     $11, %rdi                       # after "LISTEN_PID="
        call    decimal
        mov     8(%r9), %rsi                    # envp[1]: is it the LISTEN_PIDFDID placeholder?
        test    %rsi, %rsi
        jz      exec
        movabs  $0x505f4e455453494c, %rax       # "LISTEN_P"
        cmp     (%rsi), %rax
        jne     exec
        movabs  $0x3d44494446444950, %rax       # "PIDFDID=", bytes 7..14
        cmp     7(%rsi), %rax
        jne     exec
        mov     %r12, %rdi                      # pidfd_open(pid, 0)
        xor     %esi, %esi
        mov     $434, %eax
        syscall
        test    %rax, %rax
        js      drop
        mov     %rax, %rdi                      # fstat(pidfd, struct stat below the stack pointer)
        sub     $144, %rsp
        mov     %rsp, %rsi
        mov     $5, %eax
        syscall
        mov     %rax, %r13                      # fstat's result
        mov     8(%rsp), %r14                   # st_ino
        add     $144, %rsp
        mov     $3, %eax                        # close(pidfd): %rdi still holds it
        syscall
        test    %r13, %r13
        jnz     drop
        mov     %r14, %rax
        mov     8(%r9), %rdi                    # envp[1]
        add     $15, %rdi                       # after "LISTEN_PIDFDID="
        call    decimal
        jmp     exec
drop:
        mov     (%r9), %rax                     # envp[1] = envp[0]; envp += 1
        mov     %rax, 8(%r9)
        add     $8, %r9
exec:
        lea     8(%r10), %rsi                   # argv + 1: the program's argv
        mov     (%r10), %rdi                    # argv[0]: the program's path
        mov     %r9, %rdx                       # envp
        mov     $59, %eax                       # execve()
        syscall
        mov     $127, %edi                      # it failed: exit_group(127)
        mov     $231, %eax
        syscall

# Writes %rax in decimal at %rdi, NUL-terminated. The digits are built below the stack pointer, last first.
# Clobbers %rax, %rcx, %rdx, %rsi, %rdi, %r8.
decimal:
        lea     -1(%rsp), %rsi
        mov     $10, %r8d
        xor     %ecx, %ecx                      # digit count
1:      xor     %edx, %edx
        div     %r8                             # %rax /= 10, %rdx = remainder
        add     $'0', %dl
        mov     %dl, (%rsi)
        dec     %rsi
        inc     %ecx
        test    %rax, %rax
        jnz     1b
        inc     %rsi                            # first digit
2:      mov     (%rsi), %dl                     # copy the digits
        mov     %dl, (%rdi)
        inc     %rsi
        inc     %rdi
        dec     %ecx
        jnz     2b
        movb    $0, (%rdi)                      # terminate
        ret
