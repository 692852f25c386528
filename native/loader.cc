#include "loader.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <linux/capability.h>
#include <memory>
#include <sstream>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

extern "C" {
#include "../bpf/traceloop.h" // before the skeleton, whose .bss holds its types
#include "../bpf/.output/traceloop.skel.h"
}

namespace traceloop {

namespace {

// libbpf talks through a print callback. Keep its last words for our error
// message; show everything only when TRACELOOP_DEBUG is set.
std::string libbpf_log;

bool debugging()
{
	return std::getenv("TRACELOOP_DEBUG") != nullptr;
}

int on_libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	char line[1024];
	va_list copy;
	va_copy(copy, args);
	vsnprintf(line, sizeof(line), fmt, args);
	if (debugging())
		std::vfprintf(stderr, fmt, copy);
	va_end(copy);
	if (level != LIBBPF_DEBUG) {
		libbpf_log += line;
		if (libbpf_log.size() > 8192)
			libbpf_log.erase(0, libbpf_log.size() - 8192);
	}
	return 0;
}

const struct {
	uint32_t bit;
	const char *name;
} kFamilies[] = {
    {TL_FAM_KEYED, "ioctl/prctl/fcntl arguments"},
    {TL_FAM_STRV, "execve argv/envp"},
    {TL_FAM_IOV, "iovec"},
    {TL_FAM_MSG, "msghdr"},
    {TL_FAM_FDSETS, "select fd sets"},
    {TL_FAM_DIRENTS, "getdents counts"},
    {TL_FAM_NEW_FDS, "new fds' inodes (-y, -yy)"},
};

// Short names for TRACELOOP_TEST_REFUSE (tests: a kernel that refuses a
// family, simulated where no such kernel can be booted; "core" refuses every
// load).
constexpr uint32_t kCoreForTest = 1u << 31;

const char *short_name(uint32_t bit)
{
	switch (bit) {
	case TL_FAM_KEYED: return "keyed";
	case TL_FAM_STRV: return "strv";
	case TL_FAM_IOV: return "iovec";
	case TL_FAM_MSG: return "msghdr";
	case TL_FAM_FDSETS: return "fdsets";
	case TL_FAM_DIRENTS: return "dirents";
	case TL_FAM_NEW_FDS: return "newfds";
	default: return "?";
	}
}

uint32_t refused_for_test()
{
	const char *env = std::getenv("TRACELOOP_TEST_REFUSE");
	uint32_t out = 0;
	if (!env)
		return 0;
	std::string list = std::string(",") + env + ",";
	for (const auto &f : kFamilies)
		if (list.find(std::string(",") + short_name(f.bit) + ",") != std::string::npos)
			out |= f.bit;
	if (list.find(",core,") != std::string::npos)
		out |= kCoreForTest;
	return out;
}

// One program's verifier log (level 4: its errors and statistics only).
struct ProgramLog {
	bpf_program *prog;
	std::string name;
	std::vector<char> buf;
};

uint64_t number_after(const std::string &log, const std::string &key)
{
	auto at = log.rfind(key);
	if (at == std::string::npos)
		return 0;
	return std::strtoull(log.c_str() + at + key.size(), nullptr, 10);
}

ProgramStats stats_of(const ProgramLog &pl)
{
	const std::string log(pl.buf.data());
	ProgramStats st;
	st.name = pl.name;
	st.insns = number_after(log, "processed ");
	st.verify_us = number_after(log, "verification time ");
	auto at = log.rfind("stack depth ");
	if (at != std::string::npos) {
		const char *p = log.c_str() + at + std::strlen("stack depth ");
		for (;;) {
			char *end;
			unsigned long v = std::strtoul(p, &end, 10);
			if (end == p)
				break;
			st.stack.push_back(static_cast<uint32_t>(v));
			if (*end != '+')
				break;
			p = end + 1;
		}
	}
	return st;
}

// The verifier's own summary of a refusal: the last line of its log that is
// not one of the statistics lines.
std::string refusal_line(const std::string &log)
{
	std::istringstream in(log);
	std::string line, last;
	while (std::getline(in, line)) {
		if (line.empty() || line.rfind("processed ", 0) == 0 ||
		    line.rfind("verification time", 0) == 0 || line.rfind("stack depth", 0) == 0)
			continue;
		last = line;
	}
	return last;
}

struct Attempt {
	traceloop_bpf *skel = nullptr;
	int err = 0;
	std::string program; // the one refused
	std::string why;     // the verifier's words
	uint64_t insns = 0;  // how far it got
	std::vector<ProgramStats> stats;
};

void set_rodata(traceloop_bpf *skel, const LoadSettings &s, uint32_t families)
{
	skel->rodata->ring_bytes = s.ring_bytes;
	skel->rodata->ctrl_bytes = s.ctrl_bytes;
	skel->rodata->max_capture = s.max_capture;
	skel->rodata->max_string = s.max_string;
	skel->rodata->compound_max = s.compound_max;
	skel->rodata->families = families;
	skel->rodata->floor_only = s.floor_only;
	skel->rodata->bench_skip = s.bench_skip;
}

Attempt attempt(const LoadSettings &s, uint32_t families)
{
	Attempt a;
	traceloop_bpf *skel = traceloop_bpf__open();
	if (!skel) {
		a.err = errno ? errno : EINVAL;
		a.why = "opening the BPF object: " + last_libbpf_line();
		return a;
	}
	set_rodata(skel, s, families);

	// The verifier checks ring accesses against the inner map's value
	// size, so the template the outer map is created from must have the
	// real one. (libbpf 1.1 cannot resize the declared template: give it a
	// map.)
	const int tmpl_fd = create_ring_map(s.ctrl_bytes + s.ring_bytes, s.ncpus);
	if (tmpl_fd < 0) {
		a.err = errno;
		a.why = std::string("creating the ring template: ") + std::strerror(errno);
		traceloop_bpf__destroy(skel);
		return a;
	}
	int err = bpf_map__set_inner_map_fd(skel->maps.ring_slots, tmpl_fd);

	// Level 4 asks only for the verifier's statistics and its errors: cheap,
	// and what the budget test reads. TRACELOOP_DEBUG adds the whole trace.
	std::vector<ProgramLog> logs;
	bpf_program *prog;
	bpf_object__for_each_program(prog, skel->obj)
	{
		logs.push_back({prog, bpf_program__name(prog),
				std::vector<char>(debugging() ? 64u << 20 : 64u << 10, 0)});
	}
	for (auto &pl : logs) {
		bpf_program__set_log_level(
		    pl.prog,
		    debugging() ? (std::getenv("TRACELOOP_DEBUG")[0] == '2' ? 2 | 4 : 1 | 4) : 4);
		bpf_program__set_log_buf(pl.prog, pl.buf.data(), pl.buf.size());
	}
	const uint32_t refuse = refused_for_test() & (families | kCoreForTest);
	if (!err && refuse) {
		err = -EACCES;
		logs[0].buf.assign(logs[0].buf.size(), 0);
		std::snprintf(logs[0].buf.data(), logs[0].buf.size(),
			      "refused for the test (TRACELOOP_TEST_REFUSE): %s\n",
			      refuse & kCoreForTest ? "everything" : family_names(refuse).c_str());
	} else if (!err) {
		err = traceloop_bpf__load(skel);
	}
	::close(tmpl_fd);
	for (auto &pl : logs) {
		if (debugging() && pl.buf[0])
			std::fprintf(stderr, "traceloop: verifier log of %s:\n%s\n",
				     pl.name.c_str(), pl.buf.data());
		a.stats.push_back(stats_of(pl));
	}
	if (err) {
		a.err = -err;
		// The program refused is the one whose log says why.
		for (auto &pl : logs) {
			std::string why = refusal_line(pl.buf.data());
			if (!why.empty()) {
				a.program = pl.name;
				a.why = why;
				a.insns = stats_of(pl).insns;
				break;
			}
		}
		if (a.why.empty())
			a.why = last_libbpf_line();
		traceloop_bpf__destroy(skel);
		return a;
	}
	a.skel = skel;
	return a;
}

[[noreturn]] void refused(const Attempt &a)
{
	if (a.program.empty())
		throw UserError("loading the BPF programs: " + std::string(std::strerror(a.err)) +
				(a.why.empty() ? "" : " (" + a.why + ")") +
				"; set TRACELOOP_DEBUG=1 for libbpf's full log");
	std::string msg = "the kernel's BPF verifier refused " + a.program + ": " + a.why;
	if (a.insns)
		msg += " (after " + std::to_string(a.insns) + " instructions)";
	// The verifier's work does not depend on the settings (issue #10): a
	// smaller --max-arg-bytes would not help, so do not suggest it.
	msg += "; traceloop is tested on the kernels in docs/kernels.md: set TRACELOOP_DEBUG=1 "
	       "for the verifier's whole log, and report it with `uname -r`";
	throw UserError(msg);
}

} // namespace

std::string last_libbpf_line()
{
	std::string s = libbpf_log;
	while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
		s.pop_back();
	auto nl = s.rfind('\n');
	return nl == std::string::npos ? s : s.substr(nl + 1);
}

std::string family_names(uint32_t families)
{
	std::string out;
	for (const auto &f : kFamilies)
		if (families & f.bit)
			out += (out.empty() ? "" : ", ") + std::string(f.name);
	return out;
}

int create_ring_map(uint64_t value_size, uint32_t ncpus)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = BPF_F_MMAPABLE);
	return bpf_map_create(BPF_MAP_TYPE_ARRAY, "tl_ring", sizeof(uint32_t),
			      static_cast<uint32_t>(value_size), ncpus, &opts);
}

void check_privileges()
{
	__user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
	__user_cap_data_struct data[2]{};
	if (syscall(SYS_capget, &hdr, data) != 0)
		return; // cannot tell: let the kernel say
	auto has = [&](int cap) { return (data[cap / 32].effective >> (cap % 32)) & 1; };
	const int cap_bpf = 39, cap_perfmon = 38; // CAP_BPF, CAP_PERFMON (Linux 5.8)
	if (has(CAP_SYS_ADMIN) || (has(cap_bpf) && has(cap_perfmon)))
		return;
	std::string missing;
	if (!has(cap_bpf))
		missing += "CAP_BPF";
	if (!has(cap_perfmon))
		missing += std::string(missing.empty() ? "" : " and ") + "CAP_PERFMON";
	throw UserError("permission denied: recording needs CAP_BPF and CAP_PERFMON (or "
			"CAP_SYS_ADMIN), and this process lacks " +
			missing + ": run as root (e.g. sudo traceloop ...)");
}

void check_kernel(const std::string &release)
{
	int major = 0, minor = 0;
	if (std::sscanf(release.c_str(), "%d.%d", &major, &minor) != 2)
		return;
	if (major > kMinKernelMajor || (major == kMinKernelMajor && minor >= kMinKernelMinor))
		return;
	if (std::getenv("TRACELOOP_ANY_KERNEL"))
		return;
	throw UserError("this kernel is " + release + "; traceloop supports Linux " +
			std::to_string(kMinKernelMajor) + "." + std::to_string(kMinKernelMinor) +
			" and newer (the oldest it is tested on): set TRACELOOP_ANY_KERNEL=1 to "
			"try anyway (captures this kernel refuses are left out, and said)");
}

traceloop_bpf *load_programs(const LoadSettings &s, LoadReport &report)
{
	libbpf_set_print(on_libbpf_print);
	libbpf_log.clear();
	const auto t0 = std::chrono::steady_clock::now();
	auto done = [&](Attempt &a, uint32_t families) {
		report.programs = a.stats;
		report.families = families;
		report.left_out = s.families & ~families;
		report.load_ms =
		    std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
			.count();
		return a.skel;
	};

	report.attempts = 1;
	Attempt full = attempt(s, s.families);
	if (full.skel)
		return done(full, s.families);
	if (full.program.empty() || s.families == 0)
		refused(full);

	// Refused: find what this kernel takes. The core first (without it
	// nothing can be recorded), then each family on top of what loaded.
	report.left_out_why = full.program + ": " + full.why;
	report.attempts++;
	Attempt kept = attempt(s, 0);
	if (!kept.skel)
		refused(kept);
	uint32_t loaded = 0;
	for (const auto &f : kFamilies) {
		if (!(s.families & f.bit))
			continue;
		report.attempts++;
		Attempt more = attempt(s, loaded | f.bit);
		if (!more.skel)
			continue;
		traceloop_bpf__destroy(kept.skel);
		kept = std::move(more);
		loaded |= f.bit;
	}
	return done(kept, loaded);
}

} // namespace traceloop
