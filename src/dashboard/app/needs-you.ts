/**
 * The "needs you" list at the top of the page: every pane whose agent waits for an answer,
 * failed, or finished, oldest first, with how long it has waited. A click opens the pane
 * with the reply box focused; "Seen" acknowledges it (the server's `ack`). The list's head
 * also turns desktop notifications and their sound on and off.
 */
import { h, replaceChildren } from './dom.ts';
import type { DesktopAlerts } from './desktop-alerts.ts';
import type { PaneItem } from './store.ts';
import { durationText } from './tree-view.ts';

export interface NeedsYouActions {
  /** Open the pane with this key (see paneKey). */
  open(key: string): void;
  ack(pane: PaneItem): Promise<void>;
}

const WHAT = { waiting: 'waiting for you', error: 'stopped on an error', done: 'done' } as const;

export class NeedsYouList {
  readonly element = h('section', { class: 'needs-you', 'aria-label': 'Needs you', 'data-count': '0' });
  readonly #list = h('ol', { class: 'needs-you-list' });
  readonly #title = h('h2', {}, 'Needs you');
  /** Notification settings: shown in the top bar (the list itself is hidden while empty). */
  readonly settings = h('div', { class: 'needs-you-settings' });

  constructor(
    private readonly actions: NeedsYouActions,
    private readonly alerts: DesktopAlerts,
  ) {
    this.element.append(h('div', { class: 'needs-you-head' }, this.#title), this.#list);
    this.#renderSettings();
  }

  render(panes: readonly PaneItem[], now = Date.now()): void {
    this.element.dataset.count = String(panes.length);
    this.element.hidden = panes.length === 0;
    this.#title.textContent = panes.length > 0 ? `Needs you (${panes.length})` : 'Nothing needs you';
    replaceChildren(
      this.#list,
      ...panes.map((p) =>
        h(
          'li',
          { class: `needs-you-item attention-${p.attention}`, 'data-pane': p.id, 'data-attention': p.attention ?? '' },
          h(
            'button',
            { type: 'button', class: 'needs-you-open', onclick: () => this.actions.open(p.key), title: 'Open this pane and reply' },
            h('span', { class: 'needs-you-kind' }, p.attention ?? ''),
            h('span', { class: 'needs-you-agent' }, p.agentType),
            h('span', { class: 'needs-you-where' }, `${p.session}:${p.windowIndex}.${p.index}`),
            h('span', { class: 'needs-you-window' }, p.windowName),
            h(
              'span',
              { class: 'needs-you-waited muted', 'data-since': p.attentionSince },
              `${WHAT[p.attention ?? 'waiting']} for ${durationText(p.attentionSince, true, now)}`,
            ),
          ),
          h(
            'button',
            {
              type: 'button',
              class: 'ghost needs-you-ack',
              title: 'Seen: take it off this list',
              onclick: (e: Event) => {
                (e.currentTarget as HTMLButtonElement).disabled = true;
                void this.actions.ack(p).catch(() => ((e.currentTarget as HTMLButtonElement).disabled = false));
              },
            },
            'Seen',
          ),
        ),
      ),
    );
  }

  tick(now = Date.now()): void {
    for (const el of this.#list.querySelectorAll<HTMLElement>('[data-since]')) {
      const item = el.closest<HTMLElement>('[data-attention]');
      const what = WHAT[(item?.dataset.attention || 'waiting') as keyof typeof WHAT];
      el.textContent = `${what} for ${durationText(Number(el.dataset.since), true, now)}`;
    }
  }

  #renderSettings(): void {
    const alerts = this.alerts;
    const items: HTMLElement[] = [];
    if (alerts.supported && alerts.permission !== 'denied') {
      items.push(
        h(
          'button',
          {
            type: 'button',
            class: 'ghost notify-toggle',
            'aria-pressed': alerts.enabled ? 'true' : 'false',
            onclick: async () => {
              if (alerts.enabled) alerts.disable();
              else await alerts.enable();
              this.#renderSettings();
            },
          },
          alerts.enabled ? 'Desktop notifications: on' : 'Turn on desktop notifications',
        ),
      );
    }
    const sound = h('input', { type: 'checkbox', class: 'sound-toggle', checked: alerts.sound });
    sound.addEventListener('change', () => alerts.setSound(sound.checked));
    items.push(h('label', { class: 'muted' }, sound, ' sound'));
    replaceChildren(this.settings, ...items);
  }
}
