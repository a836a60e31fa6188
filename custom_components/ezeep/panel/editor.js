/**
 * The card's visual editor (station, readers, idle timeout, keypad, mask, release at
 * sign-in). Loaded only when the card is edited (getConfigElement imports it).
 */
import { LitElement, html, nothing } from "./lit/lit-element.js";
import { DEFAULTS } from "./state.js";
import { loadTexts } from "./texts.js";

class EzeepReleasePanelEditor extends LitElement {
  static properties = {
    hass: { attribute: false },
    _config: { state: true },
    _texts: { state: true },
    _readers: { state: true },
  };

  constructor() {
    super();
    this._texts = {};
  }

  setConfig(config) {
    this._config = { ...DEFAULTS, ...config };
  }

  willUpdate(changed) {
    if (changed.has("hass") && this.hass && !this._loaded) {
      this._loaded = true;
      loadTexts(this.hass.locale?.language).then((texts) => (this._texts = texts));
    }
    const entryId = this._config?.entry_id;
    if (this.hass && entryId && entryId !== this._readersOf) this._loadReaders(entryId);
  }

  /** The readers an admin bound to the user this runs as (the server decides, see readers.py). */
  _loadReaders(entryId) {
    this._readersOf = entryId;
    this.hass
      .callWS({ type: "ezeep/panel/readers", entry_id: entryId })
      .then(({ readers }) => {
        if (this._readersOf === entryId) this._readers = readers;
      })
      .catch(() => {
        if (this._readersOf === entryId) this._readers = null;
      });
  }

  /** The bound readers to pick from; none bound to this user: any device (an admin binds it). */
  _readerSelector() {
    const readers = this._readers ?? [];
    if (!readers.length) return { device: { multiple: true } };
    const options = readers.map((reader) => ({ value: reader.device_id, label: reader.name ?? reader.device_id }));
    for (const id of this._config.reader_device_ids ?? []) {
      if (!readers.some((reader) => reader.device_id === id)) options.push({ value: id, label: id });
    }
    return { select: { multiple: true, mode: "list", options } };
  }

  _schema() {
    const t = (key) => this._texts[key] ?? key;
    return [
      { name: "entry_id", required: true, selector: { config_entry: { integration: "ezeep" } } },
      { name: "reader_device_ids", selector: this._readerSelector() },
      { name: "idle_timeout", selector: { number: { min: 5, max: 600, step: 5, mode: "box", unit_of_measurement: "s" } } },
      {
        name: "keypad",
        selector: {
          select: {
            mode: "dropdown",
            options: [
              { value: "digits", label: t("editor_keypad_digits") },
              { value: "alphanumeric", label: t("editor_keypad_alphanumeric") },
            ],
          },
        },
      },
      { name: "mask_id", selector: { boolean: {} } },
      { name: "release_all_on_sign_in", selector: { boolean: {} } },
    ];
  }

  render() {
    if (!this.hass || !this._config) return nothing;
    return html`<ha-form
      .hass=${this.hass}
      .data=${this._config}
      .schema=${this._schema()}
      .computeLabel=${(field) => this._texts[`editor_${field.name}`] ?? field.name}
      .computeHelper=${(field) => this._texts[`editor_${field.name}_helper`]}
      @value-changed=${this._changed}
    ></ha-form>`;
  }

  _changed(ev) {
    ev.stopPropagation();
    this._config = { ...ev.detail.value };
    this.dispatchEvent(new CustomEvent("config-changed", { detail: { config: this._config }, bubbles: true, composed: true }));
  }
}

if (!customElements.get("ezeep-release-panel-editor")) {
  customElements.define("ezeep-release-panel-editor", EzeepReleasePanelEditor);
}
