// Tables for struct msghdr and its control messages, as strace 6.1 names them. Each was read
// off this machine's strace by sending messages with every value in turn (sendmsg is decoded
// at entry, so a call that fails still shows its argument).
import { xlat } from '../flags.js';

/** cmsg_level: strace's socketlayers, which is wider than the setsockopt levels. */
export const SOCKET_LAYERS = xlat([
  ['SOL_IP', 0],
  ['SOL_SOCKET', 1],
  ['SOL_TCP', 6],
  ['SOL_UDP', 17],
  // Sic: strace lists 40 under the address family's name.
  ['AF_VSOCK', 40],
  ['SOL_IPV6', 41],
  ['SOL_ICMPV6', 58],
  ['SOL_CAN_BASE', 100],
  ['SOL_CAN_RAW', 101],
  ['SOL_SCTP', 132],
  ['SOL_UDPLITE', 136],
  ['SOL_RAW', 255],
  ['SOL_IPX', 256],
  ['SOL_AX25', 257],
  ['SOL_ATALK', 258],
  ['SOL_NETROM', 259],
  ['SOL_ROSE', 260],
  ['SOL_DECNET', 261],
  ['SOL_X25', 262],
  ['SOL_PACKET', 263],
  ['SOL_ATM', 264],
  ['SOL_AAL', 265],
  ['SOL_IRDA', 266],
  ['SOL_NETBEUI', 267],
  ['SOL_LLC', 268],
  ['SOL_DCCP', 269],
  ['SOL_NETLINK', 270],
  ['SOL_TIPC', 271],
  ['SOL_RXRPC', 272],
  ['SOL_PPPOL2TP', 273],
  ['SOL_BLUETOOTH', 274],
  ['SOL_PNPIPE', 275],
  ['SOL_RDS', 276],
  ['SOL_IUCV', 277],
  ['SOL_CAIF', 278],
  ['SOL_ALG', 279],
  ['SOL_NFC', 280],
  ['SOL_KCM', 281],
  ['SOL_TLS', 282],
  ['SOL_XDP', 283],
]);

export const SOL_IP = 0;
export const SOL_SOCKET = 1;

export const SCM_RIGHTS = 1;
export const SCM_CREDENTIALS = 2;
export const SCM_SECURITY = 3;
export const SO_TIMESTAMP_OLD = 29;
export const SO_TIMESTAMPNS_OLD = 35;
export const SO_TIMESTAMPING_OLD = 37;
export const SO_TIMESTAMP_NEW = 63;
export const SO_TIMESTAMPNS_NEW = 64;
export const SO_TIMESTAMPING_NEW = 65;

/** cmsg_type at SOL_SOCKET (strace's scmvals, x86_64 values). */
export const SCM_TYPES = xlat([
  ['SCM_RIGHTS', SCM_RIGHTS],
  ['SCM_CREDENTIALS', SCM_CREDENTIALS],
  ['SCM_SECURITY', SCM_SECURITY],
  ['SO_TIMESTAMP_OLD', SO_TIMESTAMP_OLD],
  ['SO_TIMESTAMPNS_OLD', SO_TIMESTAMPNS_OLD],
  ['SO_TIMESTAMPING_OLD', SO_TIMESTAMPING_OLD],
  ['SO_WIFI_STATUS', 41],
  ['SCM_TIMESTAMPING_OPT_STATS', 54],
  ['SCM_TIMESTAMPING_PKTINFO', 58],
  ['SO_TXTIME', 61],
  ['SO_TIMESTAMP_NEW', SO_TIMESTAMP_NEW],
  ['SO_TIMESTAMPNS_NEW', SO_TIMESTAMPNS_NEW],
  ['SO_TIMESTAMPING_NEW', SO_TIMESTAMPING_NEW],
]);

export const IP_TOS = 1;
export const IP_TTL = 2;
export const IP_RECVOPTS = 6;
export const IP_RETOPTS = 7;
export const IP_PKTINFO = 8;
export const IP_RECVERR = 11;
export const IP_ORIGDSTADDR = 20;
export const IP_CHECKSUM = 23;

/** cmsg_type at SOL_IP (strace's ip_cmsg_types; 3 is SCM_SECURITY there too). */
export const IP_CMSG_TYPES = xlat([
  ['IP_TOS', IP_TOS],
  ['IP_TTL', IP_TTL],
  ['SCM_SECURITY', SCM_SECURITY],
  ['IP_RECVOPTS', IP_RECVOPTS],
  ['IP_RETOPTS', IP_RETOPTS],
  ['IP_PKTINFO', IP_PKTINFO],
  ['IP_RECVERR', IP_RECVERR],
  ['IP_ORIGDSTADDR', IP_ORIGDSTADDR],
  ['IP_CHECKSUM', IP_CHECKSUM],
]);
