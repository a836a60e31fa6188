/** The release panel's styles (WCAG 2.2 AA: 4.5:1 text contrast, 44 px targets). */
import { css } from "./lit/lit-element.js";

export const styles = css`
  :host {
    display: block;
    height: 100%;
    container-type: inline-size;
    --ezeep-gap: 16px;
    --ezeep-touch: 64px;
    /* Fixed colors with white text at >= 4.5:1 in every theme (HA's primary is 2.7:1). */
    --ezeep-accent: #0b5f8a;
    --ezeep-danger: #b3261e;
  }
  ha-card {
    height: 100%;
    box-sizing: border-box;
    overflow: auto;
    color: var(--primary-text-color);
  }
  .panel {
    padding: 24px;
    max-width: 1200px;
    margin: 0 auto;
    font-size: 18px;
  }
  h2 {
    font-size: 32px;
    font-weight: 500;
    margin: 0 0 8px;
  }
  h2:focus {
    outline: none;
  }
  h3 {
    font-size: 20px;
    font-weight: 500;
    margin: 16px 0 8px;
    color: var(--secondary-text-color);
  }
  button {
    font: inherit;
    font-size: 20px;
    min-height: var(--ezeep-touch);
    min-width: var(--ezeep-touch);
    padding: 0 20px;
    border-radius: 12px;
    border: 1px solid var(--divider-color);
    background: var(--secondary-background-color);
    color: var(--primary-text-color);
    cursor: pointer;
  }
  button:focus-visible,
  input:focus-visible {
    outline: 3px solid var(--primary-color);
    outline-offset: 2px;
  }
  button:disabled {
    opacity: 0.4;
    cursor: default;
  }
  button.primary {
    background: var(--ezeep-accent);
    color: #fff;
    border-color: transparent;
  }
  button.danger {
    background: var(--ezeep-danger);
    color: #fff;
    border-color: transparent;
  }
  button.danger-outline {
    color: var(--primary-text-color);
    border: 2px solid var(--ezeep-danger);
    background: transparent;
  }
  button.big {
    min-height: 80px;
    font-size: 24px;
  }
  .signed-out {
    display: flex;
    flex-direction: column;
    gap: var(--ezeep-gap);
    max-width: 520px;
    margin: 0 auto;
  }
  .prompt {
    margin: 0;
    color: var(--secondary-text-color);
  }
  .id-label {
    font-weight: 500;
  }
  .id-field {
    font-size: 32px;
    letter-spacing: 4px;
    padding: 12px 16px;
    min-height: var(--ezeep-touch);
    border-radius: 12px;
    border: 2px solid var(--divider-color);
    background: var(--card-background-color);
    color: var(--primary-text-color);
    box-sizing: border-box;
    width: 100%;
  }
  .keypad {
    display: grid;
    grid-template-columns: repeat(3, 1fr);
    gap: 12px;
  }
  .keypad.alphanumeric {
    grid-template-columns: repeat(6, 1fr);
    gap: 8px;
  }
  .key {
    font-size: 30px;
    min-height: 80px;
    padding: 0;
  }
  .alphanumeric .key {
    min-height: var(--ezeep-touch);
    font-size: 24px;
  }
  .key.small-text {
    font-size: 18px;
  }
  .message-area:empty,
  .notes:empty {
    display: none;
  }
  .notes {
    display: flex;
    flex-direction: column;
    gap: 12px;
  }
  .message {
    border-radius: 12px;
    padding: 12px 16px;
    background: var(--secondary-background-color);
    border-left: 6px solid var(--info-color, var(--primary-color));
  }
  .message.error {
    border-left-color: var(--error-color);
  }
  .message p {
    margin: 4px 0;
  }
  .message .hint {
    color: var(--primary-text-color);
  }
  .starting {
    font-weight: 500;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }
  .warning {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 12px;
    border-radius: 12px;
    padding: 12px 16px;
    border-left: 6px solid var(--ezeep-danger);
    background: var(--secondary-background-color);
  }
  .warning p {
    flex: 1 1 200px;
    margin: 0;
  }
  .signed-in {
    display: grid;
    grid-template-columns: 1fr;
    gap: var(--ezeep-gap);
  }
  .head {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: var(--ezeep-gap);
  }
  .head h2 {
    margin: 0;
  }
  ul {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  .job {
    display: flex;
    align-items: center;
    gap: 12px;
    min-height: 80px;
    padding: 8px 4px;
    border-bottom: 1px solid var(--divider-color);
  }
  .job input[type="checkbox"] {
    width: 44px;
    height: 44px;
    margin: 0 4px;
    accent-color: var(--primary-color);
    flex: none;
  }
  .check-space {
    width: 52px;
    flex: none;
  }
  .job-text {
    display: flex;
    flex-direction: column;
    flex: 1;
    min-width: 0;
    cursor: pointer;
    padding: 8px 0;
  }
  .job-name {
    font-size: 20px;
    overflow-wrap: anywhere;
  }
  .job-meta {
    color: var(--secondary-text-color);
    font-size: 16px;
  }
  .job.held .job-name {
    color: var(--secondary-text-color);
  }
  .badge {
    color: var(--primary-text-color);
    border: 2px solid var(--warning-color, #ff9800);
    border-radius: 8px;
    padding: 0 6px;
    font-weight: 500;
  }
  .job-actions {
    display: flex;
    gap: 8px;
    flex: none;
  }
  .job-actions button {
    font-size: 18px;
    padding: 0 14px;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 12px;
    align-items: stretch;
    position: sticky;
    bottom: 0;
    padding: 12px 0;
    background: var(--ha-card-background, var(--card-background-color));
  }
  .actions .big {
    flex: 1 1 200px;
  }
  .copies {
    display: flex;
    align-items: center;
    gap: 8px;
  }
  .copies label {
    display: flex;
    flex-direction: column;
    align-items: center;
    font-size: 14px;
    color: var(--secondary-text-color);
  }
  .copies input {
    width: 64px;
    min-height: 48px;
    box-sizing: border-box;
    font-size: 24px;
    text-align: center;
    border: 1px solid var(--divider-color);
    border-radius: 8px;
    background: var(--card-background-color);
    color: var(--primary-text-color);
  }
  .step {
    font-size: 28px;
    padding: 0;
  }
  .empty {
    color: var(--secondary-text-color);
  }
  .confirm {
    border: 2px solid var(--ezeep-danger);
    border-radius: 12px;
    padding: 16px;
    background: var(--card-background-color);
  }
  .confirm p {
    margin: 0 0 12px;
    font-size: 20px;
  }
  .confirm-buttons {
    display: flex;
    gap: 12px;
    justify-content: flex-end;
  }
  .release-job {
    display: grid;
    grid-template-columns: 1fr;
    gap: 4px;
    padding: 8px 0;
  }
  .bar {
    height: 14px;
    border-radius: 7px;
    background: var(--divider-color);
    overflow: hidden;
  }
  .fill {
    height: 100%;
    background: var(--ezeep-accent);
    transition: width 0.3s;
  }
  .completed .fill {
    background: var(--success-color, #4caf50);
  }
  .failed .fill,
  .canceled .fill {
    background: var(--ezeep-danger);
  }
  .summary {
    font-weight: 500;
  }
  .status {
    color: var(--secondary-text-color);
    font-size: 16px;
  }
  @media (max-height: 860px) {
    .panel {
      padding: 16px 24px;
    }
    .signed-out {
      gap: 10px;
    }
    .key,
    button.big {
      min-height: 64px;
    }
    h2 {
      font-size: 28px;
    }
  }
  @container (min-width: 1000px) {
    .signed-in {
      grid-template-columns: 1fr 340px;
      grid-template-areas: "head head" "msg actions" "confirm actions" "release actions" "jobs actions";
      align-items: start;
    }
    .head {
      grid-area: head;
    }
    .signed-in > .notes {
      grid-area: msg;
    }
    .confirm {
      grid-area: confirm;
    }
    .release {
      grid-area: release;
    }
    .jobs {
      grid-area: jobs;
    }
    .actions {
      grid-area: actions;
      flex-direction: column;
      position: sticky;
      top: 0;
    }
    .actions .big {
      flex: none;
    }
    .signed-out {
      max-width: 640px;
    }
  }
`;
