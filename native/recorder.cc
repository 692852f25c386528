#include "recorder.h"

#include <algorithm>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <ctime>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

extern "C" {
#include "../bpf/.output/traceloop.skel.h"
#include "../bpf/traceloop.h"
}

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

namespace traceloop {

namespace {

[[noreturn]] void fail_bpf(const std::string &what, int err)
{
	err = err < 0 ? -err : err;
	if (err == EPERM || err == EACCES)
		check_privileges(); // says which capabilities are missing, if any are
	std::string detail = last_libbpf_line();
	throw UserError(what + ": " + std::strerror(err) +
			(detail.empty() ? "" : " (libbpf: " + detail + ")") +
			"; set TRACELOOP_DEBUG=1 for libbpf's full log");
}

bool is_power_of_two(uint64_t v)
{
	return v && !(v & (v - 1));
}

} // namespace

Recorder::Recorder(const RecorderConfig &config)
{
	if (!is_power_of_two(config.ring_bytes) || config.ring_bytes < TL_MIN_RING_BYTES ||
	    config.ring_bytes > TL_MAX_RING_BYTES)
		throw UserError("ring size must be a power of two between 4 KiB and 16 MiB, got " +
				std::to_string(config.ring_bytes) + " bytes");
	if (config.rules.size() != TL_MAX_SYSCALLS * sizeof(tl_rule))
		throw UserError("internal: capture rules must be " +
				std::to_string(TL_MAX_SYSCALLS * sizeof(tl_rule)) + " bytes");
	struct utsname u;
	if (uname(&u) == 0)
		check_kernel(u.release);
	struct stat st;
	if (::stat("/sys/kernel/btf/vmlinux", &st) != 0)
		throw UserError("this kernel exposes no BTF (/sys/kernel/btf/vmlinux is missing): "
				"traceloop needs a kernel built with CONFIG_DEBUG_INFO_BTF=y");
	check_privileges();

	int n = libbpf_num_possible_cpus();
	if (n <= 0)
		fail_bpf("counting CPUs", n);
	ncpus_ = static_cast<uint32_t>(n);

	// A capture may take at most an eighth of the ring, so that a ring of
	// one page still holds several records.
	uint64_t cap = config.max_capture;
	const uint64_t cap_limit = config.ring_bytes / 8 - sizeof(tl_param);
	if (cap > cap_limit)
		cap = cap_limit;
	if (cap > TL_MAX_CAPTURE)
		cap = TL_MAX_CAPTURE;
	cap &= ~uint64_t(TL_ALIGN - 1);
	// Strings (paths) are kept whole up to PATH_MAX, as strace shows them,
	// within the same eighth of the ring.
	uint64_t string_cap = std::min<uint64_t>(TL_PATH_MAX, cap_limit);
	string_cap = std::max<uint64_t>(string_cap, cap) & ~uint64_t(TL_ALIGN - 1);
	const uint64_t compound_cap = TL_COMPOUND_BYTES(cap);
	geo_.ring_bytes = config.ring_bytes;
	geo_.ctrl_bytes = ctrl_bytes_for(config.ring_bytes);
	// What a writer may be scribbling on past the published head: a pad
	// shorter than the largest room any record reserves, then the largest
	// record; and an event record before it, for an event is published with
	// the param that follows it (ring_writer.bpf.h publish_unless). (A
	// record's room is its largest size; a group never holds two pads.)
	const uint64_t largest =
	    std::max<uint64_t>({TL_RING_ENTER_MAX, sizeof(tl_exit), sizeof(tl_param) + string_cap,
				sizeof(tl_param) + compound_cap});
	geo_.inflight_bytes = 2 * largest + TL_RING_ENTER_MAX;

	LoadSettings load;
	load.ring_bytes = geo_.ring_bytes;
	load.ctrl_bytes = geo_.ctrl_bytes;
	load.max_capture = static_cast<uint32_t>(cap);
	load.max_string = static_cast<uint32_t>(string_cap);
	load.compound_max = static_cast<uint32_t>(compound_cap);
	load.floor_only = config.floor_only;
	load.bench_skip = config.bench_skip;
	load.families = config.families & TL_FAM_ALL;
	load.ncpus = ncpus_;
	skel_ = load_programs(load, load_report_);

	try {
		fill_rules(config);
	} catch (...) {
		close();
		throw;
	}

	const int err = traceloop_bpf__attach(skel_);
	if (err) {
		close();
		fail_bpf("attaching to the syscall tracepoints", err);
	}
}

namespace {
// A capture of a family this load left out is emptied here, once, so that
// the programs need not test every capture's family on every call.
void empty_if_left_out(tl_capture &c, uint32_t families)
{
	if (tl_family_of(c.kind) & ~families)
		c = tl_capture{};
}
} // namespace

void Recorder::fill_rules(const RecorderConfig &config)
{
	const uint32_t families = load_report_.families;
	const int rules_fd = bpf_map__fd(skel_->maps.rules);
	for (uint32_t nr = 0; nr < TL_MAX_SYSCALLS; nr++) {
		tl_rule r;
		std::memcpy(&r, config.rules.data() + nr * sizeof(tl_rule), sizeof(r));
		uint32_t used = 0, buffer_slot = 0;
		for (uint32_t i = 0; i < TL_MAX_PARAMS; i++) {
			tl_capture &c = r.cap[i];
			empty_if_left_out(c, families);
			if (tl_captures_at_exit(c.kind))
				skel_->bss->exit_rules[nr / 64] |= __u64(1) << (nr % 64);
			if (c.kind != TL_CAP_NONE) {
				used++;
				buffer_slot = i;
			}
		}
		// The commonest rules get the programs' short way (see tl_rule).
		const tl_capture &only = r.cap[buffer_slot];
		const bool one_plain_buffer = used == 1 && only.size == 0;
		r.one_buffer =
		    one_plain_buffer && only.kind == TL_CAP_BUF_ARGLEN ? 1 + buffer_slot : 0;
		r.one_result =
		    one_plain_buffer && only.kind == TL_CAP_BUF_RETLEN ? 1 + buffer_slot : 0;
		if (bpf_map_update_elem(rules_fd, &nr, &r, BPF_ANY))
			fail_bpf("filling the capture rules", errno);
	}

	const size_t pair = sizeof(tl_keyed_key) + sizeof(tl_capture);
	if (config.keyed_rules.size() % pair || config.keyed_rules.size() / pair > TL_MAX_KEYED)
		throw UserError("internal: keyed capture rules must be at most " +
				std::to_string(TL_MAX_KEYED) + " key/capture pairs");
	const int keyed_fd = bpf_map__fd(skel_->maps.keyed_rules);
	for (size_t at = 0; at < config.keyed_rules.size(); at += pair) {
		const uint8_t *key = config.keyed_rules.data() + at;
		tl_capture c;
		std::memcpy(&c, key + sizeof(tl_keyed_key), sizeof(c));
		empty_if_left_out(c, families);
		if (bpf_map_update_elem(keyed_fd, key, &c, BPF_ANY))
			fail_bpf("filling the keyed capture rules", errno);
	}
}

Recorder::~Recorder()
{
	close();
}

void Recorder::free_rings(Rings &r)
{
	if (r.mem)
		munmap(r.mem, r.mem_len);
	if (r.map_fd >= 0)
		::close(r.map_fd);
	r.mem = nullptr;
	r.map_fd = -1;
}

void Recorder::close()
{
	stop_drain();
	std::lock_guard<std::mutex> lock(mu_);
	for (auto &[id, r] : cgroups_)
		free_rings(r);
	cgroups_.clear();
	if (skel_) {
		traceloop_bpf__destroy(skel_); // detaches the links, closes the maps
		skel_ = nullptr;
	}
}

uint64_t Recorder::add_cgroup(const std::string &path)
{
	std::lock_guard<std::mutex> lock(mu_);
	if (!skel_)
		throw UserError("the recorder is closed");
	struct statfs fs;
	struct stat st;
	if (::statfs(path.c_str(), &fs) != 0 || ::stat(path.c_str(), &st) != 0)
		throw UserError(path + ": " + std::strerror(errno) +
				": give the path of a cgroup2 directory, e.g. "
				"/sys/fs/cgroup/system.slice/ssh.service");
	if (fs.f_type != CGROUP2_SUPER_MAGIC || !S_ISDIR(st.st_mode))
		throw UserError(path + ": not a cgroup2 directory (look for the cgroup2 mount in "
				       "/proc/self/mountinfo)");
	// On cgroup2 the id bpf_get_current_cgroup_id() returns is the
	// directory's inode number.
	const uint64_t id = st.st_ino;
	if (cgroups_.count(id))
		throw UserError(path + ": already recorded");

	Rings r;
	const uint64_t value_size = geo_.ctrl_bytes + geo_.ring_bytes;
	r.map_fd = create_ring_map();
	if (r.map_fd < 0)
		fail_bpf("creating the rings of " + path, errno);
	r.mem_len = value_size * ncpus_;
	void *mem = mmap(nullptr, r.mem_len, PROT_READ, MAP_SHARED, r.map_fd, 0);
	if (mem == MAP_FAILED) {
		int e = errno;
		free_rings(r);
		fail_bpf("mapping the rings of " + path, e);
	}
	r.mem = static_cast<uint8_t *>(mem);
	r.live.resize(ncpus_);
	r.path = path;
	// Round robin: a slot given up is the last taken again, so a program
	// that read it a moment before its cgroup left finds no stranger's rings.
	uint32_t slot = next_slot_;
	for (uint32_t n = 0; n < TL_MAX_CGROUPS && slots_used_[slot]; n++)
		slot = (slot + 1) % TL_MAX_CGROUPS;
	if (slots_used_[slot]) {
		free_rings(r);
		throw UserError("cannot record more than " + std::to_string(TL_MAX_CGROUPS) +
				" cgroups at once");
	}
	r.slot = slot;
	set_filter_bit(id, true); // before the rings: a set bit with no rings costs a lookup
	try {
		publish_slot(id, r);
	} catch (...) {
		free_rings(r);
		sync_filter_bit(id);
		throw;
	}
	slots_used_[slot] = true;
	next_slot_ = (slot + 1) % TL_MAX_CGROUPS;
	cgroups_.emplace(id, std::move(r));
	return id;
}

namespace {
// TRACELOOP_TEST_SHARED_BUCKETS=1: as if every bucket of slot_of were another
// cgroup's, so that tests see the programs find every slot in cgroup_slots.
bool buckets_shared_for_test()
{
	static const bool shared = std::getenv("TRACELOOP_TEST_SHARED_BUCKETS") != nullptr;
	return shared;
}
} // namespace

void Recorder::publish_slot(uint64_t id, const Rings &r)
{
	const uint32_t slot = r.slot;
	// The rings first, then the ways to their slot: a program never finds a
	// slot without rings.
	if (bpf_map_update_elem(bpf_map__fd(skel_->maps.ring_slots), &slot, &r.map_fd, BPF_ANY))
		fail_bpf("registering " + r.path, errno);
	if (bpf_map_update_elem(bpf_map__fd(skel_->maps.cgroup_slots), &id, &slot, BPF_NOEXIST)) {
		const int e = errno;
		bpf_map_delete_elem(bpf_map__fd(skel_->maps.ring_slots), &slot);
		fail_bpf("registering " + r.path, e);
	}
	// .bss is mapped shared with the programs: the owner, then the bucket.
	skel_->bss->slot_owner[slot] = id;
	volatile __u16 &bucket = skel_->bss->slot_of[id % TL_FILTER_BITS];
	if (bucket == 0 && !buckets_shared_for_test())
		bucket = static_cast<__u16>(slot + 1); // else another's: cgroup_slots has it
	forget_memos();
}

void Recorder::withdraw_slot(uint64_t id, const Rings &r)
{
	if (!skel_)
		return;
	volatile __u16 &bucket = skel_->bss->slot_of[id % TL_FILTER_BITS];
	if (bucket == r.slot + 1) {
		bucket = 0;
		// Another registered cgroup of the bucket takes it over.
		for (const auto &[other, o] : cgroups_)
			if (other != id && other % TL_FILTER_BITS == id % TL_FILTER_BITS &&
			    !buckets_shared_for_test()) {
				bucket = static_cast<__u16>(o.slot + 1);
				break;
			}
	}
	skel_->bss->slot_owner[r.slot] = 0;
	bpf_map_delete_elem(bpf_map__fd(skel_->maps.cgroup_slots), &id);
	bpf_map_delete_elem(bpf_map__fd(skel_->maps.ring_slots), &r.slot);
	forget_memos();
}

void Recorder::forget_memos()
{
	// After the tables: a program that reads the new count looks the task
	// up again, in tables that already say what changed (struct tl_memo).
	__atomic_fetch_add(&skel_->bss->cgroup_moves, 1, __ATOMIC_SEQ_CST);
}

void Recorder::remove_cgroup(uint64_t id)
{
	std::lock_guard<std::mutex> lock(mu_);
	Rings &r = rings_of(id);
	withdraw_slot(id, r);
	slots_used_[r.slot] = false;
	free_rings(r);
	cgroups_.erase(id);
	sync_filter_bit(id);
}

void Recorder::set_filter_bit(uint64_t id, bool on)
{
	if (!skel_)
		return;
	// .bss is mapped shared with the programs: a plain store is what they load.
	volatile __u64 &word = skel_->bss->cgroup_filter[(id / 64) % (TL_FILTER_BITS / 64)];
	const __u64 bit = __u64(1) << (id % 64);
	word = on ? (word | bit) : (word & ~bit);
}

void Recorder::sync_filter_bit(uint64_t id)
{
	bool shared = false;
	for (const auto &[other, r] : cgroups_)
		shared = shared || other % TL_FILTER_BITS == id % TL_FILTER_BITS;
	set_filter_bit(id, shared);
}

Recorder::Rings &Recorder::rings_of(uint64_t id)
{
	auto it = cgroups_.find(id);
	if (it == cgroups_.end())
		throw UserError("cgroup id " + std::to_string(id) + " is not recorded");
	return it->second;
}

int Recorder::create_ring_map() const
{
	return traceloop::create_ring_map(geo_.ctrl_bytes + geo_.ring_bytes, ncpus_);
}

const uint8_t *Recorder::element(const Rings &r, uint32_t cpu) const
{
	return r.mem + static_cast<size_t>(cpu) * (geo_.ctrl_bytes + geo_.ring_bytes);
}

ReadOut Recorder::read(Rings &r, std::vector<RingState> &states)
{
	// One read of every CPU, merged whole: the live merger, flushed at once.
	LiveMerger merger(ncpus_);
	ReadOut out;
	for (uint32_t cpu = 0; cpu < ncpus_; cpu++) {
		CpuBatch batch;
		batch.cpu = cpu;
		RingCounters c = read_ring(element(r, cpu), geo_, cpu, states[cpu], batch);
		out.cpus.push_back({cpu, c, states[cpu].delivered, states[cpu].lost});
		merger.add(std::move(batch), 0);
	}
	merger.flush(out.records);
	return out;
}

ReadOut Recorder::snapshot(uint64_t id)
{
	// A fresh cursor per CPU: the whole flight record, and everything older
	// than it counted as overwritten.
	std::lock_guard<std::mutex> lock(mu_);
	std::vector<RingState> fresh(ncpus_);
	return read(rings_of(id), fresh);
}

ReadOut Recorder::poll(uint64_t id)
{
	std::lock_guard<std::mutex> lock(mu_);
	Rings &r = rings_of(id);
	if (r.watched)
		throw UserError("cgroup id " + std::to_string(id) +
				" is watched live: its records go to the live stream, not poll()");
	return read(r, r.live);
}

std::vector<CpuStats> Recorder::stats(uint64_t id)
{
	std::lock_guard<std::mutex> lock(mu_);
	Rings &r = rings_of(id);
	std::vector<CpuStats> out;
	for (uint32_t cpu = 0; cpu < ncpus_; cpu++) {
		const auto *ctl = reinterpret_cast<const tl_ring_ctrl *>(element(r, cpu));
		RingCounters c;
		c.head = __atomic_load_n(&ctl->head, __ATOMIC_ACQUIRE);
		c.emitted = __atomic_load_n(&ctl->emitted, __ATOMIC_ACQUIRE);
		c.failed = __atomic_load_n(&ctl->failed, __ATOMIC_ACQUIRE);
		c.faults = __atomic_load_n(&ctl->faults, __ATOMIC_ACQUIRE);
		out.push_back({cpu, c, r.live[cpu].delivered, r.live[cpu].lost});
	}
	return out;
}

std::vector<TriggerNotes> Recorder::triggers(uint64_t id)
{
	std::lock_guard<std::mutex> lock(mu_);
	Rings &r = rings_of(id);
	std::vector<TriggerNotes> out;
	for (uint32_t cpu = 0; cpu < ncpus_; cpu++) {
		const auto *ctl = reinterpret_cast<const tl_ring_ctrl *>(element(r, cpu));
		TriggerNotes n{};
		n.cpu = cpu;
		// The seq is written after the counter: read it first, and the
		// counters after, so a count never lacks the seq it came with
		// (at worst the seq is one trigger newer).
		n.seq = __atomic_load_n(&ctl->trig_seq, __ATOMIC_ACQUIRE);
		n.last = __atomic_load_n(&ctl->trig_last, __ATOMIC_ACQUIRE);
		for (int k = 0; k < TL_TRIG_KINDS; k++)
			n.count[k] = __atomic_load_n(&ctl->trig_count[k], __ATOMIC_ACQUIRE);
		out.push_back(n);
	}
	return out;
}

void Recorder::set_trigger_errnos(const std::vector<uint64_t> &bits)
{
	std::lock_guard<std::mutex> lock(mu_);
	if (!skel_)
		return;
	// .bss is mapped shared with the programs: plain stores are what they load.
	constexpr size_t words = TL_TRIG_ERRNO_BITS / 64;
	for (size_t i = 0; i < words; i++) {
		volatile __u64 &word = skel_->bss->trigger_errnos[i];
		word = i < bits.size() ? bits[i] : 0;
	}
}

} // namespace traceloop

namespace traceloop {

namespace {

uint64_t monotonic_ns()
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + ts.tv_nsec;
}

} // namespace

void Recorder::start_drain(const DrainConfig &config, BatchSink sink)
{
	std::lock_guard<std::mutex> lock(mu_);
	if (!skel_)
		throw UserError("the recorder is closed");
	if (drain_.joinable())
		throw UserError("the drain is already running");
	drain_config_ = config;
	sink_ = std::move(sink);
	stopping_ = false;
	drain_ = std::thread([this] { drain_loop(); });
	pthread_setname_np(drain_.native_handle(), "tl-drain"); // for top -H and the bench
}

void Recorder::stop_drain()
{
	{
		std::lock_guard<std::mutex> lock(mu_);
		stopping_ = true;
	}
	wake_.notify_all();
	if (drain_.joinable())
		drain_.join();
}

void Recorder::watch(uint64_t id)
{
	std::lock_guard<std::mutex> lock(mu_);
	if (!drain_.joinable())
		throw UserError("internal: watch() before start_drain()");
	Rings &r = rings_of(id);
	if (r.watched)
		return;
	r.watched = true;
	r.merger = std::make_unique<LiveMerger>(ncpus_);
	r.seen_head.assign(ncpus_, 0);
	r.period_ns = drain_config_.period_ns;
}

void Recorder::unwatch(uint64_t id)
{
	std::lock_guard<std::mutex> lock(mu_);
	Rings &r = rings_of(id);
	if (!r.watched)
		return;
	drain_one(id, r);
	if (!r.watched)
		return; // it was gone: drain_one ended its stream
	std::vector<uint8_t> rest;
	r.merger->flush(rest);
	sink_(id, std::move(rest));
	r.watched = false;
	r.merger.reset();
}

void Recorder::drain_loop()
{
	std::unique_lock<std::mutex> lock(mu_);
	uint64_t period = drain_config_.period_ns;
	while (!stopping_) {
		wake_.wait_for(lock, std::chrono::nanoseconds(period));
		if (stopping_)
			break;
		// One period for all: reading a quiet ring costs next to nothing.
		period = drain_config_.period_ns;
		for (auto &[id, r] : cgroups_) {
			if (!r.watched)
				continue;
			drain_one(id, r);
			if (r.watched)
				period = std::min(period, r.period_ns);
		}
	}
}

// Reads one watched cgroup's rings and hands on what the watermark releases.
// A cgroup whose directory is gone gets its last records and an end marker.
void Recorder::drain_one(uint64_t id, Rings &r)
{
	// Whether the directory is gone is asked at the base period, not on
	// every fast tick of a busy cgroup.
	bool gone = false;
	const uint64_t t = monotonic_ns();
	if (t >= r.next_gone_check) {
		struct stat st;
		gone = ::stat(r.path.c_str(), &st) != 0 && errno == ENOENT;
		r.next_gone_check = t + drain_config_.period_ns;
	}
	uint64_t most = 0; // bytes written into the fullest ring since the last drain
	for (uint32_t cpu = 0; cpu < ncpus_; cpu++) {
		CpuBatch batch;
		batch.cpu = cpu;
		const uint64_t now = monotonic_ns();
		const RingCounters c = read_ring(element(r, cpu), geo_, cpu, r.live[cpu], batch);
		most = std::max(most, c.head - std::min(c.head, r.seen_head[cpu]));
		r.seen_head[cpu] = c.head;
		r.merger->add(std::move(batch), now);
	}
	// Aim to read each ring before it is half full.
	if (most > geo_.ring_bytes / 2)
		r.period_ns = std::max(r.period_ns / 2, drain_config_.min_period_ns);
	else if (most < geo_.ring_bytes / 8)
		r.period_ns = std::min(r.period_ns * 2, drain_config_.period_ns);
	std::vector<uint8_t> out;
	if (gone) {
		r.merger->flush(out);
		CpuBatch end;
		append_lost(end, UINT32_MAX, TL_LOST_GONE, 0, r.merger->watermark(),
			    r.merger->watermark());
		out.insert(out.end(), end.bytes.begin(), end.bytes.end());
		r.watched = false;
		r.merger.reset();
	} else {
		r.merger->release(drain_config_.slack_ns, out);
	}
	// Even empty: the sink may owe the consumer a marker for what it dropped.
	sink_(id, std::move(out));
}

} // namespace traceloop
