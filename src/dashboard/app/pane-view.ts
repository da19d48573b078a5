/**
 * The selected pane: a header (where it is, its status), its output in a terminal view kept
 * live, and — only with the `write` permission — a box to send the agent a message and an
 * interrupt button.
 *
 * Live: every `pane.output` event for the pane asks the server for the pane's last lines
 * again (at most every REFRESH_MS), and the terminal mirror shows them. Re-reading rather
 * than appending the events' text is what makes full-screen agent UIs (which redraw in
 * place with cursor movements the server strips from `pane.output`) look right.
 */
import { h, replaceChildren } from './dom.ts';
import { durationText, badge } from './tree-view.ts';
import { isAgent, type PaneItem } from './store.ts';
import { TerminalMirror } from './terminal-mirror.ts';
import { quickReplies, type QuickReply } from './quick-replies.ts';

/** Shortest time between two re-reads of the pane's text. */
const REFRESH_MS = 200;

export interface PaneActions {
  /** The pane's last lines, as the server captures them. */
  content(pane: PaneItem): Promise<string>;
  send(pane: PaneItem, text: string, enter?: boolean): Promise<void>;
  interrupt(pane: PaneItem): Promise<void>;
}

export interface PanePermissions {
  write: boolean;
  output: boolean;
}

export class PaneView {
  readonly element = h('section', { class: 'pane-view', 'aria-label': 'Selected pane' });
  readonly #head = h('div', { class: 'pane-head' });
  readonly #screen = h('div', { class: 'screen' });
  readonly #overlay = h('div', { class: 'screen-note', hidden: true });
  readonly #behind = h('button', { class: 'behind', hidden: true, onclick: () => this.#mirror?.scrollToBottom() }, '↓ New output');
  readonly #controls = h('div', { class: 'controls' });
  /** Buttons for the choice the agent shows (quick replies), above the reply box. */
  readonly #replies = h('div', { class: 'quick-replies', 'aria-label': 'Quick replies', hidden: true });
  #repliesKey = '';
  #lastContent = '';
  #mirror: TerminalMirror | null = null;
  #pane: PaneItem | null = null;
  #gone = false;
  #permissions: PanePermissions = { write: false, output: false };
  // Re-read scheduling
  #timer: ReturnType<typeof setTimeout> | undefined;
  #inFlight = false;
  #again = false;
  #lastRead = 0;
  /** Bumped on every selection, so a late answer for another pane is dropped. */
  #generation = 0;

  constructor(private readonly actions: PaneActions) {
    const frame = h('div', { class: 'screen-frame' }, this.#screen, this.#overlay, this.#behind);
    this.element.append(this.#head, frame, this.#replies, this.#controls);
    this.#empty();
  }

  /** The shown pane's key (see paneKey). */
  get paneKey(): string | null {
    return this.#pane?.key ?? null;
  }

  /** Shows a pane (or nothing). */
  select(pane: PaneItem | null, permissions: PanePermissions): void {
    const changed =
      pane?.key !== this.#pane?.key || permissions.write !== this.#permissions.write || permissions.output !== this.#permissions.output;
    this.#pane = pane;
    this.#gone = false;
    this.#permissions = permissions;
    if (!changed) return this.update(pane);
    this.#generation++;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (!pane) return this.#empty();
    this.element.classList.remove('is-empty');
    this.#renderHead();
    this.#renderControls();
    this.#lastContent = '';
    this.#renderReplies();
    this.#ensureMirror().reset();
    this.#mirror!.setColumns(pane.width);
    if (!permissions.output) {
      this.#note('This token may not read pane output (it lacks the output permission).');
      return;
    }
    this.#note(null);
    this.refresh();
  }

  /** The pane's status or command changed, or it is gone (undefined). */
  update(pane: PaneItem | null | undefined): void {
    if (!this.#pane) return;
    if (!pane) {
      if (!this.#gone) {
        this.#gone = true;
        this.#renderHead();
        this.#renderControls();
      }
      return;
    }
    this.#pane = pane;
    this.#gone = false;
    this.#renderHead();
    this.#mirror?.setColumns(pane.width);
    this.#renderReplies();
  }

  /** Put the cursor in the reply box (a click on a "needs you" item or a notification). */
  focusReply(): void {
    this.#controls.querySelector<HTMLInputElement>('input[name="message"]')?.focus();
  }

  tick(now = Date.now()): void {
    const since = this.#head.querySelector<HTMLElement>('[data-since]');
    if (since) since.textContent = durationText(Number(since.dataset.since), since.dataset.exact === '1', now);
  }

  /** Output arrived for the pane with this key: re-read it soon. */
  output(key: string): void {
    if (key === this.#pane?.key && this.#permissions.output) this.refresh();
  }

  /** A line the server flagged in the pane with this key. */
  flag(key: string, severity: 'error' | 'warning', line: string): void {
    if (key === this.#pane?.key) this.#mirror?.mark(severity, line);
  }

  /** Re-read the pane's text now, or as soon as the last read is done and REFRESH_MS passed. */
  refresh(): void {
    if (!this.#pane || !this.#permissions.output) return;
    if (this.#inFlight || this.#timer !== undefined) {
      this.#again = true;
      return;
    }
    const wait = Math.max(0, this.#lastRead + REFRESH_MS - Date.now());
    this.#timer = setTimeout(() => void this.#read(), wait);
  }

  async #read(): Promise<void> {
    this.#timer = undefined;
    const pane = this.#pane;
    if (!pane) return;
    const generation = this.#generation;
    this.#inFlight = true;
    this.#again = false;
    try {
      const content = await this.actions.content(pane);
      if (generation !== this.#generation) return;
      this.#note(null);
      this.#mirror?.show(content);
      this.element.dataset.loaded = '1';
      this.#lastContent = content;
      this.#renderReplies();
    } catch (error) {
      if (generation !== this.#generation) return;
      const code = (error as { code?: string }).code;
      if (code === 'NOT_FOUND') this.update(undefined);
      else this.#note(`Could not read the pane: ${(error as Error).message}`);
    } finally {
      this.#inFlight = false;
      this.#lastRead = Date.now();
      if (this.#again && generation === this.#generation) {
        this.#again = false;
        this.refresh();
      }
    }
  }

  #ensureMirror(): TerminalMirror {
    this.#mirror ??= new TerminalMirror(this.#screen, (behind) => {
      this.#behind.hidden = !behind;
    });
    return this.#mirror;
  }

  #empty(): void {
    this.element.classList.add('is-empty');
    replaceChildren(this.#head, h('span', { class: 'muted' }, 'No pane selected'));
    replaceChildren(this.#controls);
    this.#mirror?.reset();
    this.#note('Select a pane to see its output here.');
  }

  #note(text: string | null): void {
    this.#overlay.hidden = text === null;
    this.#overlay.textContent = text ?? '';
  }

  #renderHead(): void {
    const p = this.#pane;
    if (!p) return;
    const target = `${p.session}:${p.windowIndex}.${p.index}`;
    replaceChildren(
      this.#head,
      h(
        'div',
        { class: 'pane-title' },
        h('span', { class: 'target', title: p.id }, target),
        h('span', { class: 'window-label' }, p.windowName),
        this.#gone ? h('span', { class: 'badge badge-exited' }, h('i'), 'closed') : badge(p.status, !isAgent(p)),
        isAgent(p) && h('span', { class: 'agent-type' }, p.agentType),
        !this.#gone &&
          h(
            'span',
            { class: 'muted' },
            'for ',
            h(
              'span',
              { class: 'since', 'data-since': p.since, 'data-exact': p.sinceExact ? '1' : '0' },
              durationText(p.since, p.sinceExact),
            ),
          ),
      ),
      h(
        'div',
        { class: 'pane-meta' },
        h('span', {}, h('span', { class: 'muted' }, 'command '), p.command || '—'),
        p.path && h('span', { class: 'path', title: p.path }, p.path),
        h('span', { class: 'muted' }, p.id),
      ),
    );
  }

  /** Quick replies: only while the agent waits, with the `write` permission. */
  #renderReplies(): void {
    const p = this.#pane;
    const replies: QuickReply[] =
      p && !this.#gone && this.#permissions.write && p.status === 'waiting' ? quickReplies(this.#lastContent, p.agentType) : [];
    const key = JSON.stringify(replies);
    if (key === this.#repliesKey) return;
    this.#repliesKey = key;
    this.#replies.hidden = replies.length === 0;
    replaceChildren(
      this.#replies,
      ...replies.map((reply) =>
        h(
          'button',
          {
            type: 'button',
            class: 'quick-reply',
            'data-text': reply.text,
            title: `Sends ${JSON.stringify(reply.text)}${reply.enter ? ' and Enter' : ''}`,
            onclick: async (e: Event) => {
              const button = e.currentTarget as HTMLButtonElement;
              const pane = this.#pane;
              if (!pane) return;
              button.disabled = true;
              try {
                await this.actions.send(pane, reply.text, reply.enter);
                this.refresh();
              } catch (error) {
                button.title = `Failed: ${(error as Error).message}`;
              } finally {
                button.disabled = false;
              }
            },
          },
          reply.label,
        ),
      ),
    );
  }

  #renderControls(): void {
    const p = this.#pane;
    if (!p || !this.#permissions.write) {
      replaceChildren(this.#controls);
      this.#controls.hidden = true;
      return;
    }
    this.#controls.hidden = false;
    const input = h('input', {
      type: 'text',
      name: 'message',
      autocomplete: 'off',
      spellcheck: 'false',
      placeholder: `Message to ${isAgent(p) ? p.agentType : 'the pane'}…`,
      'aria-label': 'Message to send to the pane',
      disabled: this.#gone,
    });
    const result = h('span', { class: 'send-result', role: 'status', 'aria-live': 'polite' });
    const sendButton = h('button', { type: 'submit', class: 'primary', disabled: this.#gone }, 'Send');
    const busy = (on: boolean): void => {
      sendButton.disabled = on;
      interrupt.disabled = on;
    };
    const report = (text: string, ok: boolean): void => {
      result.textContent = text;
      result.dataset.ok = ok ? '1' : '0';
    };
    const run = async (what: () => Promise<void>, done: string): Promise<void> => {
      const pane = this.#pane;
      if (!pane) return;
      busy(true);
      report('', true);
      try {
        await what();
        report(done, true);
        this.refresh();
      } catch (error) {
        report(`Failed: ${(error as Error).message}`, false);
      } finally {
        busy(this.#gone);
      }
    };
    const form = h('form', { class: 'send', 'aria-label': 'Send to the pane' }, input, sendButton);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const text = input.value;
      if (!text.trim() || !this.#pane) return;
      void run(async () => {
        await this.actions.send(this.#pane!, text);
        input.value = '';
      }, 'Sent');
    });
    const interrupt = h(
      'button',
      {
        type: 'button',
        class: 'danger',
        title: 'Send Ctrl-C to the pane',
        disabled: this.#gone,
        onclick: () => void run(() => this.actions.interrupt(this.#pane!), 'Interrupted'),
      },
      'Interrupt ^C',
    );
    replaceChildren(this.#controls, form, interrupt, result);
  }
}
