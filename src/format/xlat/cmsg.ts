// Tables for struct msghdr and its control messages, as strace 6.1 names them. Each was read
// off this machine's strace by sending messages with every value in turn (sendmsg is decoded
// at entry, so a call that fails still shows its argument).
import { xlatOf } from '../flags.js';
import { IP_OPTION, SOCKET_LAYER, SOL_SOCKET_OPTION } from './socket.js';

/** cmsg_level: strace's socketlayers, which is wider than the setsockopt levels. */
export const SOCKET_LAYERS = xlatOf(SOCKET_LAYER);

/** cmsg_type at SOL_SOCKET (strace's scmvals, x86_64 values). */
export const SCM_TYPE = {
  SCM_RIGHTS: 1,
  SCM_CREDENTIALS: 2,
  SCM_SECURITY: 3,
  SO_TIMESTAMP_OLD: SOL_SOCKET_OPTION.SO_TIMESTAMP_OLD,
  SO_TIMESTAMPNS_OLD: 35,
  SO_TIMESTAMPING_OLD: 37,
  SO_WIFI_STATUS: 41,
  SCM_TIMESTAMPING_OPT_STATS: 54,
  SCM_TIMESTAMPING_PKTINFO: 58,
  SO_TXTIME: 61,
  SO_TIMESTAMP_NEW: 63,
  SO_TIMESTAMPNS_NEW: 64,
  SO_TIMESTAMPING_NEW: 65,
} as const;
export const SCM_TYPES = xlatOf(SCM_TYPE);

/** cmsg_type at SOL_IP (strace's ip_cmsg_types; 3 is SCM_SECURITY there too). */
export const IP_CMSG_TYPE = {
  IP_TOS: IP_OPTION.IP_TOS,
  IP_TTL: IP_OPTION.IP_TTL,
  SCM_SECURITY: SCM_TYPE.SCM_SECURITY,
  IP_RECVOPTS: IP_OPTION.IP_RECVOPTS,
  IP_RETOPTS: IP_OPTION.IP_RETOPTS,
  IP_PKTINFO: IP_OPTION.IP_PKTINFO,
  IP_RECVERR: IP_OPTION.IP_RECVERR,
  IP_ORIGDSTADDR: 20,
  IP_CHECKSUM: 23,
} as const;
export const IP_CMSG_TYPES = xlatOf(IP_CMSG_TYPE);
