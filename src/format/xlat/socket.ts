// Sockets: address families, types, protocols, message flags, shutdown, socket options.
import { xlat } from '../flags.js';

export const ADDRESS_FAMILIES = xlat([
  ['AF_UNSPEC', 0],
  ['AF_UNIX', 1],
  ['AF_INET', 2],
  ['AF_AX25', 3],
  ['AF_IPX', 4],
  ['AF_APPLETALK', 5],
  ['AF_NETROM', 6],
  ['AF_BRIDGE', 7],
  ['AF_ATMPVC', 8],
  ['AF_X25', 9],
  ['AF_INET6', 10],
  ['AF_ROSE', 11],
  ['AF_DECnet', 12],
  ['AF_NETBEUI', 13],
  ['AF_SECURITY', 14],
  ['AF_KEY', 15],
  ['AF_NETLINK', 16],
  ['AF_PACKET', 17],
  ['AF_ASH', 18],
  ['AF_ECONET', 19],
  ['AF_ATMSVC', 20],
  ['AF_RDS', 21],
  ['AF_SNA', 22],
  ['AF_IRDA', 23],
  ['AF_PPPOX', 24],
  ['AF_WANPIPE', 25],
  ['AF_LLC', 26],
  ['AF_IB', 27],
  ['AF_MPLS', 28],
  ['AF_CAN', 29],
  ['AF_TIPC', 30],
  ['AF_BLUETOOTH', 31],
  ['AF_IUCV', 32],
  ['AF_RXRPC', 33],
  ['AF_ISDN', 34],
  ['AF_PHONET', 35],
  ['AF_IEEE802154', 36],
  ['AF_CAIF', 37],
  ['AF_ALG', 38],
  ['AF_NFC', 39],
  ['AF_VSOCK', 40],
  ['AF_KCM', 41],
  ['AF_QIPCRTR', 42],
  ['AF_SMC', 43],
  ['AF_XDP', 44],
  ['AF_MCTP', 45],
]);

export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_NETLINK = 16;

export const SOCK_TYPES = xlat([
  ['SOCK_STREAM', 1],
  ['SOCK_DGRAM', 2],
  ['SOCK_RAW', 3],
  ['SOCK_RDM', 4],
  ['SOCK_SEQPACKET', 5],
  ['SOCK_DCCP', 6],
  ['SOCK_PACKET', 10],
]);
export const SOCK_TYPE_MASK = 0xfn;

/** Flags that socket(), socketpair() and accept4() take with the type. */
export const SOCK_FLAGS = xlat([
  ['SOCK_CLOEXEC', 0o2000000],
  ['SOCK_NONBLOCK', 0o4000],
]);

export const INET_PROTOCOLS = xlat([
  ['IPPROTO_IP', 0],
  ['IPPROTO_ICMP', 1],
  ['IPPROTO_IGMP', 2],
  ['IPPROTO_IPIP', 4],
  ['IPPROTO_TCP', 6],
  ['IPPROTO_EGP', 8],
  ['IPPROTO_PUP', 12],
  ['IPPROTO_UDP', 17],
  ['IPPROTO_IDP', 22],
  ['IPPROTO_TP', 29],
  ['IPPROTO_DCCP', 33],
  ['IPPROTO_IPV6', 41],
  ['IPPROTO_RSVP', 46],
  ['IPPROTO_GRE', 47],
  ['IPPROTO_ESP', 50],
  ['IPPROTO_AH', 51],
  ['IPPROTO_ICMPV6', 58],
  ['IPPROTO_MTP', 92],
  ['IPPROTO_BEETPH', 94],
  ['IPPROTO_ENCAP', 98],
  ['IPPROTO_PIM', 103],
  ['IPPROTO_COMP', 108],
  ['IPPROTO_L2TP', 115],
  ['IPPROTO_SCTP', 132],
  ['IPPROTO_UDPLITE', 136],
  ['IPPROTO_MPLS', 137],
  ['IPPROTO_ETHERNET', 143],
  ['IPPROTO_RAW', 255],
  ['IPPROTO_MPTCP', 262],
]);

export const NETLINK_PROTOCOLS = xlat([
  ['NETLINK_ROUTE', 0],
  ['NETLINK_UNUSED', 1],
  ['NETLINK_USERSOCK', 2],
  ['NETLINK_FIREWALL', 3],
  ['NETLINK_SOCK_DIAG', 4],
  ['NETLINK_NFLOG', 5],
  ['NETLINK_XFRM', 6],
  ['NETLINK_SELINUX', 7],
  ['NETLINK_ISCSI', 8],
  ['NETLINK_AUDIT', 9],
  ['NETLINK_FIB_LOOKUP', 10],
  ['NETLINK_CONNECTOR', 11],
  ['NETLINK_NETFILTER', 12],
  ['NETLINK_IP6_FW', 13],
  ['NETLINK_DNRTMSG', 14],
  ['NETLINK_KOBJECT_UEVENT', 15],
  ['NETLINK_GENERIC', 16],
  ['NETLINK_SCSITRANSPORT', 18],
  ['NETLINK_ECRYPTFS', 19],
  ['NETLINK_RDMA', 20],
  ['NETLINK_CRYPTO', 21],
  ['NETLINK_SMC', 22],
]);

/** msg flags as strace 6.1 names them (0x10 is MSG_PROBE; 0x2000000 it does not know). */
export const MSG_FLAGS = xlat([
  ['MSG_OOB', 0x1],
  ['MSG_PEEK', 0x2],
  ['MSG_DONTROUTE', 0x4],
  ['MSG_CTRUNC', 0x8],
  ['MSG_PROBE', 0x10],
  ['MSG_TRUNC', 0x20],
  ['MSG_DONTWAIT', 0x40],
  ['MSG_EOR', 0x80],
  ['MSG_WAITALL', 0x100],
  ['MSG_FIN', 0x200],
  ['MSG_SYN', 0x400],
  ['MSG_CONFIRM', 0x800],
  ['MSG_RST', 0x1000],
  ['MSG_ERRQUEUE', 0x2000],
  ['MSG_NOSIGNAL', 0x4000],
  ['MSG_MORE', 0x8000],
  ['MSG_WAITFORONE', 0x10000],
  ['MSG_SENDPAGE_NOTLAST', 0x20000],
  ['MSG_BATCH', 0x40000],
  ['MSG_NO_SHARED_FRAGS', 0x80000],
  ['MSG_ZEROCOPY', 0x4000000],
  ['MSG_FASTOPEN', 0x20000000],
  ['MSG_CMSG_CLOEXEC', 0x40000000],
  ['MSG_CMSG_COMPAT', 0x80000000],
]);
export const SHUTDOWN_HOW = xlat([
  ['SHUT_RD', 0],
  ['SHUT_WR', 1],
  ['SHUT_RDWR', 2],
]);

export const SOCKOPT_LEVELS = xlat([
  ['SOL_IP', 0],
  ['SOL_SOCKET', 1],
  ['SOL_TCP', 6],
  ['SOL_UDP', 17],
  ['SOL_IPV6', 41],
  ['SOL_ICMPV6', 58],
  ['SOL_RAW', 255],
  ['SOL_NETLINK', 270],
]);

export const SOL_SOCKET_OPTIONS = xlat([
  ['SO_DEBUG', 1],
  ['SO_REUSEADDR', 2],
  ['SO_TYPE', 3],
  ['SO_ERROR', 4],
  ['SO_DONTROUTE', 5],
  ['SO_BROADCAST', 6],
  ['SO_SNDBUF', 7],
  ['SO_RCVBUF', 8],
  ['SO_KEEPALIVE', 9],
  ['SO_OOBINLINE', 10],
  ['SO_NO_CHECK', 11],
  ['SO_PRIORITY', 12],
  ['SO_LINGER', 13],
  ['SO_BSDCOMPAT', 14],
  ['SO_REUSEPORT', 15],
  ['SO_PASSCRED', 16],
  ['SO_PEERCRED', 17],
  ['SO_RCVLOWAT', 18],
  ['SO_SNDLOWAT', 19],
  ['SO_RCVTIMEO_OLD', 20],
  ['SO_SNDTIMEO_OLD', 21],
  ['SO_BINDTODEVICE', 25],
  ['SO_TIMESTAMP_OLD', 29],
  ['SO_ACCEPTCONN', 30],
  ['SO_PEERSEC', 31],
  ['SO_SNDBUFFORCE', 32],
  ['SO_RCVBUFFORCE', 33],
  ['SO_PASSSEC', 34],
  ['SO_MARK', 36],
  ['SO_PROTOCOL', 38],
  ['SO_DOMAIN', 39],
  ['SO_BUSY_POLL', 46],
  ['SO_INCOMING_CPU', 49],
  ['SO_PEERGROUPS', 59],
  ['SO_ZEROCOPY', 60],
]);

export const TCP_OPTIONS = xlat([
  ['TCP_NODELAY', 1],
  ['TCP_MAXSEG', 2],
  ['TCP_CORK', 3],
  ['TCP_KEEPIDLE', 4],
  ['TCP_KEEPINTVL', 5],
  ['TCP_KEEPCNT', 6],
  ['TCP_SYNCNT', 7],
  ['TCP_LINGER2', 8],
  ['TCP_DEFER_ACCEPT', 9],
  ['TCP_WINDOW_CLAMP', 10],
  ['TCP_INFO', 11],
  ['TCP_QUICKACK', 12],
  ['TCP_CONGESTION', 13],
  ['TCP_USER_TIMEOUT', 18],
  ['TCP_FASTOPEN', 23],
]);

export const IP_OPTIONS = xlat([
  ['IP_TOS', 1],
  ['IP_TTL', 2],
  ['IP_HDRINCL', 3],
  ['IP_OPTIONS', 4],
  ['IP_RECVOPTS', 6],
  ['IP_RETOPTS', 7],
  ['IP_PKTINFO', 8],
  ['IP_MTU_DISCOVER', 10],
  ['IP_RECVERR', 11],
  ['IP_RECVTTL', 12],
  ['IP_RECVTOS', 13],
  ['IP_MTU', 14],
  ['IP_FREEBIND', 15],
  ['IP_TRANSPARENT', 19],
  ['IP_BIND_ADDRESS_NO_PORT', 24],
  ['IP_MULTICAST_IF', 32],
  ['IP_MULTICAST_TTL', 33],
  ['IP_MULTICAST_LOOP', 34],
  ['IP_ADD_MEMBERSHIP', 35],
  ['IP_DROP_MEMBERSHIP', 36],
]);

export const IPV6_OPTIONS = xlat([
  ['IPV6_UNICAST_HOPS', 16],
  ['IPV6_MULTICAST_IF', 17],
  ['IPV6_MULTICAST_HOPS', 18],
  ['IPV6_MULTICAST_LOOP', 19],
  ['IPV6_JOIN_GROUP', 20],
  ['IPV6_LEAVE_GROUP', 21],
  ['IPV6_MTU_DISCOVER', 23],
  ['IPV6_MTU', 24],
  ['IPV6_RECVERR', 25],
  ['IPV6_V6ONLY', 26],
  ['IPV6_RECVPKTINFO', 49],
  ['IPV6_TCLASS', 67],
]);

export const NETLINK_OPTIONS = xlat([
  ['NETLINK_ADD_MEMBERSHIP', 1],
  ['NETLINK_DROP_MEMBERSHIP', 2],
  ['NETLINK_PKTINFO', 3],
  ['NETLINK_BROADCAST_ERROR', 4],
  ['NETLINK_NO_ENOBUFS', 5],
  ['NETLINK_RX_RING', 6],
  ['NETLINK_TX_RING', 7],
  ['NETLINK_LISTEN_ALL_NSID', 8],
  ['NETLINK_LIST_MEMBERSHIPS', 9],
  ['NETLINK_CAP_ACK', 10],
  ['NETLINK_EXT_ACK', 11],
  ['NETLINK_GET_STRICT_CHK', 12],
]);

export const SOL_IP = 0;
export const SOL_SOCKET = 1;
export const SOL_TCP = 6;
export const SOL_IPV6 = 41;
export const SOL_NETLINK = 270;
export const SO_ERROR = 4;
export const SO_LINGER = 13;
export const SO_BINDTODEVICE = 25;
export const TCP_CONGESTION = 13;
