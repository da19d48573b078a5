/** Defaults of the bus, in a module of their own so flags can name them without loading the NATS client. */
export const BUS_DEFAULTS = { prefix: 'tmux-monitor', stream: 'TMUX_MONITOR', queueSize: 10_000 } as const;
