// Loading the BPF programs: the settings frozen into .rodata, the verifier's
// own statistics for every program, capture families left out when a kernel
// refuses them, and errors that say which program, which limit and what to
// try. The Recorder owns what this returns.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

struct traceloop_bpf;

namespace traceloop {

// A failure the user can act on; what() is one line that says what to do.
struct UserError : std::runtime_error {
	using std::runtime_error::runtime_error;
};

struct LoadSettings {
	uint64_t ring_bytes;
	uint64_t ctrl_bytes;
	uint32_t max_capture;
	uint32_t max_string;
	uint32_t compound_max;
	bool floor_only;
	uint32_t bench_skip; // enum tl_bench_skip: benchmarks only
	uint32_t families;   // enum tl_family: what to try to load
	uint32_t ncpus;
};

// What the verifier said about one program that loaded.
struct ProgramStats {
	std::string name;
	uint64_t insns = 0;	     // "processed N insns": the program and all it calls
	std::vector<uint32_t> stack; // "stack depth A+B+...": per function, in bytes
	uint64_t verify_us = 0;	     // "verification time N usec"
};

struct LoadReport {
	std::vector<ProgramStats> programs;
	double load_ms = 0;	  // open to loaded, every attempt included
	uint32_t families = 0;	  // loaded
	uint32_t left_out = 0;	  // asked for, refused by this kernel
	std::string left_out_why; // the verifier's words for the first refusal
	uint32_t attempts = 0;
};

// Opens and loads the programs with `s`, leaving out (and reporting) the
// capture families this kernel refuses; throws UserError when even the core
// is refused. The caller attaches and eventually destroys the skeleton.
traceloop_bpf *load_programs(const LoadSettings &s, LoadReport &report);

// "iovec, msghdr" for a set of enum tl_family bits.
std::string family_names(uint32_t families);

// Throws UserError naming the capabilities missing to load BPF programs
// (CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN).
void check_privileges();

// Throws UserError below the oldest kernel traceloop supports (the oldest
// its kernel matrix boots: docs/kernels.md), unless TRACELOOP_ANY_KERNEL is
// set: then it tries, and leaves out what that kernel refuses.
void check_kernel(const std::string &release);
constexpr int kMinKernelMajor = 6, kMinKernelMinor = 1;

// Creates one ring map (an mmapable array, an element per CPU): the template
// the programs are verified against, and every cgroup's rings.
int create_ring_map(uint64_t value_size, uint32_t ncpus);

// libbpf's last words, for error messages.
std::string last_libbpf_line();

} // namespace traceloop
