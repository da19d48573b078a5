/** Counters for `GET /metrics`, rendered in the Prometheus text format. */
export class Metrics {
  connections = 0;
  connectionsTotal = 0;
  eventsDropped = 0;
  slowConsumerCloses = 0;
  /** The most any connection held for its client (send buffer plus outbox) at a check. */
  sendBufferPeak = 0;
  private readonly eventsByType = new Map<string, number>();
  private readonly rejectedByCode = new Map<string, number>();
  private fanoutSeconds = 0;
  private fanoutBatches = 0;

  countEvent(type: string): void {
    this.eventsByType.set(type, (this.eventsByType.get(type) ?? 0) + 1);
  }

  countRejected(code: string): void {
    this.rejectedByCode.set(code, (this.rejectedByCode.get(code) ?? 0) + 1);
  }

  recordFanout(milliseconds: number): void {
    this.fanoutSeconds += milliseconds / 1000;
    this.fanoutBatches++;
  }

  render(gauges: { seq: number; historySize: number; sourceConnected: boolean }): string {
    const lines: string[] = [];
    const metric = (name: string, type: string, help: string, samples: [string, number][]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
    };
    const labelled = (label: string, map: Map<string, number>): [string, number][] =>
      [...map].map(([key, value]) => [`{${label}="${key}"}`, value]);

    metric('tmux_monitor_connections', 'gauge', 'Open WebSocket connections.', [['', this.connections]]);
    metric('tmux_monitor_connections_total', 'counter', 'WebSocket connections accepted.', [['', this.connectionsTotal]]);
    metric('tmux_monitor_events_total', 'counter', 'Events published, by type.', labelled('type', this.eventsByType));
    metric('tmux_monitor_events_dropped_total', 'counter', 'pane.output events dropped for slow readers.', [['', this.eventsDropped]]);
    metric('tmux_monitor_slow_consumer_closes_total', 'counter', 'Connections closed with 4503.', [['', this.slowConsumerCloses]]);
    metric('tmux_monitor_send_buffer_peak_bytes', 'gauge', 'The most any connection held for its client, in bytes.', [
      ['', this.sendBufferPeak],
    ]);
    metric(
      'tmux_monitor_messages_rejected_total',
      'counter',
      'Client messages answered with an error, by code.',
      labelled('code', this.rejectedByCode),
    );
    metric('tmux_monitor_fanout_seconds', 'summary', 'Time spent fanning out event batches.', [
      ['_sum', this.fanoutSeconds],
      ['_count', this.fanoutBatches],
    ]);
    metric('tmux_monitor_seq', 'gauge', 'Last sequence number issued in this epoch.', [['', gauges.seq]]);
    metric('tmux_monitor_history_events', 'gauge', 'Events held for resume.', [['', gauges.historySize]]);
    metric('tmux_monitor_source_connected', 'gauge', '1 when the tmux source is connected.', [['', gauges.sourceConnected ? 1 : 0]]);
    return lines.join('\n') + '\n';
  }
}
