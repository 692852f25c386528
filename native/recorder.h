// The BPF side's owner: loads and attaches the programs once, gives every
// registered cgroup its per-CPU rings, and reads them on request.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "ring_reader.h"

struct traceloop_bpf;

namespace traceloop {

// A failure the user can act on; what() is one line that says what to do.
struct UserError : std::runtime_error {
	using std::runtime_error::runtime_error;
};

struct RecorderConfig {
	uint64_t ring_bytes = 64 * 4096;
	uint32_t max_capture = 256;
	std::vector<uint8_t> rules; // TL_MAX_SYSCALLS packed tl_rule
};

struct CpuStats {
	uint32_t cpu;
	RingCounters counters;
	uint64_t delivered;
	uint64_t lost;
};

struct ReadOut {
	std::vector<uint8_t> records;
	std::vector<CpuStats> cpus;
};

class Recorder {
public:
	explicit Recorder(const RecorderConfig &config);
	~Recorder();
	Recorder(const Recorder &) = delete;
	Recorder &operator=(const Recorder &) = delete;

	uint64_t add_cgroup(const std::string &path);
	void remove_cgroup(uint64_t id);
	ReadOut snapshot(uint64_t id);
	ReadOut poll(uint64_t id);
	std::vector<CpuStats> stats(uint64_t id);
	void close();

private:
	struct Rings {
		int map_fd = -1;
		uint8_t *mem = nullptr;
		size_t mem_len = 0;
		std::vector<RingState> live; // poll() cursors, one per CPU
	};
	Rings &rings_of(uint64_t id);
	int create_ring_map() const;
	const uint8_t *element(const Rings &r, uint32_t cpu) const;
	ReadOut read(Rings &r, std::vector<RingState> &states);
	static void free_rings(Rings &r);

	traceloop_bpf *skel_ = nullptr;
	RingGeometry geo_{};
	uint32_t ncpus_ = 0;
	std::map<uint64_t, Rings> cgroups_;
};

} // namespace traceloop
