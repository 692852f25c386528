// SPDX-License-Identifier: Apache-2.0
/*
 * floor-probe OBJ MODE CMD...: attaches MODE's empty programs of
 * floor-probe.bpf.o, runs CMD, waits for it and detaches (issue #11's floor
 * measurement). MODE: none, tp (sys_enter + sys_exit), fentry (fentry +
 * fexit on x64_sys_call), or one program alone: tp-enter, fentry-only,
 * fexit-only.
 * floor-probe OBJ btf FUNC...: says which functions the kernel's BTF has.
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

static const struct {
	const char *mode;
	const char *progs[2];
} modes[] = {
    {"none", {NULL, NULL}},
    {"tp", {"probe_tp_enter", "probe_tp_exit"}},
    {"fentry", {"probe_fentry", "probe_fexit"}},
    {"tp-enter", {"probe_tp_enter", NULL}},
    {"fentry-only", {"probe_fentry", NULL}},
    {"fexit-only", {"probe_fexit", NULL}},
};

static int has_btf_funcs(int n, char **names)
{
	struct btf *vmlinux = btf__load_vmlinux_btf();

	for (int i = 0; i < n; i++)
		printf("%s=%s ", names[i],
		       vmlinux && btf__find_by_name_kind(vmlinux, names[i], BTF_KIND_FUNC) > 0
			   ? "yes"
			   : "no");
	printf("\n");
	return 0;
}

static int wanted(int m, const char *name)
{
	for (int i = 0; i < 2; i++)
		if (modes[m].progs[i] && !strcmp(modes[m].progs[i], name))
			return 1;
	return 0;
}

int main(int argc, char **argv)
{
	struct bpf_link *links[2] = {};
	struct bpf_object *obj = NULL;
	struct bpf_program *p;
	int m, status = 0;
	pid_t pid;

	if (argc < 4) {
		fprintf(stderr, "usage: %s OBJ MODE CMD... | OBJ btf FUNC...\n", argv[0]);
		return 2;
	}
	if (!strcmp(argv[2], "btf"))
		return has_btf_funcs(argc - 3, argv + 3);
	for (m = 0; m < (int)(sizeof(modes) / sizeof(modes[0])); m++)
		if (!strcmp(argv[2], modes[m].mode))
			break;
	if (m == (int)(sizeof(modes) / sizeof(modes[0]))) {
		fprintf(stderr, "unknown mode %s\n", argv[2]);
		return 2;
	}
	if (modes[m].progs[0]) {
		obj = bpf_object__open_file(argv[1], NULL);
		if (!obj)
			return 1;
		bpf_object__for_each_program(p, obj)
		    bpf_program__set_autoload(p, wanted(m, bpf_program__name(p)));
		if (bpf_object__load(obj)) {
			fprintf(stderr, "load failed\n");
			return 1;
		}
		for (int i = 0; i < 2 && modes[m].progs[i]; i++) {
			links[i] = bpf_program__attach(
			    bpf_object__find_program_by_name(obj, modes[m].progs[i]));
			if (!links[i]) {
				fprintf(stderr, "attach %s failed\n", modes[m].progs[i]);
				return 1;
			}
		}
	}
	pid = fork();
	if (pid == 0) {
		execvp(argv[3], argv + 3);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	for (int i = 0; i < 2; i++)
		bpf_link__destroy(links[i]);
	bpf_object__close(obj);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
