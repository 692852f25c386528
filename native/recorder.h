// The BPF side's owner: loads and attaches the programs once, gives every
// registered cgroup its per-CPU rings, and reads them on request.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "live_merger.h"
#include "loader.h"
#include "ring_reader.h"

extern "C" {
#include "../bpf/traceloop.h"
}

struct traceloop_bpf;

namespace traceloop {

struct RecorderConfig {
	uint64_t ring_bytes = 64 * 4096;
	uint32_t max_capture = 256;
	std::vector<uint8_t> rules; // TL_MAX_SYSCALLS packed tl_rule
	// packed (tl_keyed_key, tl_capture) pairs for the keyed_rules map
	std::vector<uint8_t> keyed_rules;
	bool floor_only = false;	// benchmarks: programs attached but doing nothing
	uint32_t bench_skip = 0;	// benchmarks: enum tl_bench_skip, parts left out
	uint32_t families = TL_FAM_ALL; // capture families to load (enum tl_family)
};

struct CpuStats {
	uint32_t cpu;
	RingCounters counters;
	uint64_t delivered;
	uint64_t lost;
};

// One CPU's trigger notes (tl_ring_ctrl.trig_*): counters that wrap at
// 2^16, the last trigger's kind (| TL_TRIG_OOM) and its record's seq.
struct TriggerNotes {
	uint32_t cpu;
	uint16_t count[TL_TRIG_KINDS];
	uint16_t last;
	uint32_t seq;
};

struct ReadOut {
	std::vector<uint8_t> records;
	std::vector<CpuStats> cpus;
};

struct DrainConfig {
	// How often watched rings are read at most; a cgroup whose rings fill
	// faster is read more often, down to min_period_ns, and less often again
	// when it calms down. (Polled, never woken: a wakeup per event costs 20x.)
	uint64_t period_ns = 50'000'000;
	uint64_t min_period_ns = 1'000'000;
	uint64_t slack_ns = 20'000'000; // how long a record may sit stamped but unpublished
};

// Where the drain thread hands merged records: called on the drain thread,
// with the recorder's lock held (it must not call back into the Recorder),
// for every watched cgroup on every tick, with an empty batch when nothing
// was released.
using BatchSink = std::function<void(uint64_t cgroup_id, std::vector<uint8_t> &&records)>;

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
	// Trigger notes per CPU, read from the control blocks alone (no ring read).
	std::vector<TriggerNotes> triggers(uint64_t id);
	// Which errnos are triggers (bit e of TL_TRIG_ERRNO_BITS), for every cgroup.
	void set_trigger_errnos(const std::vector<uint64_t> &bits);
	void close();
	// What loading cost, per program, and what this kernel refused.
	const LoadReport &load_report() const { return load_report_; }

	// Live streams: a C++ thread reads every watched cgroup's rings on a
	// timer (never the JS event loop: a terminal stopped by XOFF blocks
	// Node's synchronous writes), merges CPUs behind a watermark and hands
	// the result to `sink`. The ring itself is never consumed, so a
	// snapshot() taken while watching still holds the whole flight record.
	void start_drain(const DrainConfig &config, BatchSink sink);
	void watch(uint64_t id);
	void unwatch(uint64_t id);

private:
	struct Rings {
		int map_fd = -1;
		uint8_t *mem = nullptr;
		size_t mem_len = 0;
		std::vector<RingState> live; // poll() and drain cursors, one per CPU
		std::string path;
		bool watched = false;
		std::unique_ptr<LiveMerger> merger; // while watched
		std::vector<uint64_t> seen_head;    // each CPU's head at the last drain
		uint64_t period_ns = 0;		    // this cgroup's drain period now
		uint64_t next_gone_check = 0;	    // when to stat() its directory again
		uint32_t slot = 0;		    // in ring_slots (see slot_of in the BPF)
	};
	Rings &rings_of(uint64_t id);
	// cgroup_filter in the BPF .bss: the bit of `id`, and whether any
	// registered cgroup still needs it.
	void set_filter_bit(uint64_t id, bool on);
	void sync_filter_bit(uint64_t id);
	// The capture rules into their maps, without the families left out,
	// the commonest marked for the programs' short way (tl_rule.one_buffer).
	void fill_rules(const RecorderConfig &config);
	// A cgroup's slot: its rings in ring_slots, and the ways the programs
	// find its slot (cgroup_slots, slot_of and slot_owner in .bss).
	void publish_slot(uint64_t id, const Rings &r);
	void withdraw_slot(uint64_t id, const Rings &r);
	// Makes every CPU's memo of a task's slot stale (struct tl_memo): after
	// any change to the tables above.
	void forget_memos();
	std::vector<bool> slots_used_ = std::vector<bool>(TL_MAX_CGROUPS);
	uint32_t next_slot_ = 0;
	int create_ring_map() const;
	LoadReport load_report_;
	const uint8_t *element(const Rings &r, uint32_t cpu) const;
	ReadOut read(Rings &r, std::vector<RingState> &states);
	static void free_rings(Rings &r);
	void drain_loop();
	void drain_one(uint64_t id, Rings &r);
	void stop_drain();

	traceloop_bpf *skel_ = nullptr;
	RingGeometry geo_{};
	uint32_t ncpus_ = 0;
	std::map<uint64_t, Rings> cgroups_;

	std::mutex mu_; // cgroups_ and everything in it: JS thread vs drain thread
	std::condition_variable wake_;
	bool stopping_ = false;
	DrainConfig drain_config_;
	BatchSink sink_;
	std::thread drain_;
};

} // namespace traceloop
