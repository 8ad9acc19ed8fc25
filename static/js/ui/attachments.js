// The consent signature (drawn with a finger) and up to 5 photos of a record. Photos are
// downscaled here, before they are queued, so a 2G network never carries a 12-megapixel
// original. Each file is stored in IndexedDB under its SHA-256, the name it uploads by.
import { sha256Hex } from "../sync/engine.js";
import { element } from "./dom.js";

export const MAX_PHOTOS = 5;
export const LONG_EDGE = 1600;
export const MAX_BYTES = 5 * 1024 * 1024;

function canvasBlob(canvas, type, quality) {
  return new Promise((resolve) => canvas.toBlob(resolve, type, quality));
}

export async function downscale(file) {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, LONG_EDGE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return canvasBlob(canvas, "image/jpeg", 0.85);
}

export class Attachments {
  constructor(root, { record, store, t, onChange, readOnly = false }) {
    Object.assign(this, { root, record, store, t, onChange, readOnly });
    this.record.attachments ??= [];
    this.urls = [];
  }

  async render() {
    const t = this.t;
    this.urls.forEach((url) => URL.revokeObjectURL(url));
    this.urls = [];
    this.message = element("p", { class: "issue", role: "status" });
    const signature = this.record.attachments.find((a) => a.kind === "signature");
    const photos = this.record.attachments.filter((a) => a.kind === "photo");
    const signatureSection = element("section", { class: "card", "aria-labelledby": "signature-title" },
      element("h2", { id: "signature-title", text: t("农户签名") }));
    if (signature) {
      signatureSection.append(await this.thumbnail(signature, t("农户签名")));
    } else if (!this.readOnly) {
      signatureSection.append(this.signaturePad());
    }
    const photoSection = element("section", { class: "card", "aria-labelledby": "photos-title" },
      element("h2", { id: "photos-title", text: t("照片（最多 5 张）") }));
    for (const photo of photos) photoSection.append(await this.thumbnail(photo, t("照片")));
    if (!this.readOnly && photos.length < MAX_PHOTOS) {
      const input = element("input", { type: "file", id: "photo-input", accept: "image/*", capture: "environment" });
      input.addEventListener("change", () => this.addPhoto(input.files[0]));
      photoSection.append(element("div", { class: "field" }, element("label", { for: "photo-input", text: t("添加照片") }), input));
    }
    this.root.replaceChildren(signatureSection, photoSection, this.message);
  }

  async thumbnail(attachment, label) {
    const file = await this.store.getFile(attachment.sha256);
    const figure = element("figure", { class: "attachment" });
    if (file?.blob) {
      const url = URL.createObjectURL(file.blob);
      this.urls.push(url);
      figure.append(element("img", { src: url, alt: label }));
    }
    figure.append(element("figcaption", { text: `${label} · ${Math.ceil(attachment.size / 1024)} KB` }));
    if (!this.readOnly) {
      const remove = element("button", { type: "button", class: "danger", text: this.t("删除") });
      remove.addEventListener("click", () => this.remove(attachment));
      figure.append(remove);
    }
    return figure;
  }

  signaturePad() {
    const canvas = element("canvas", { width: 600, height: 220, class: "signature", role: "img", "aria-label": this.t("在此处签名") });
    const context = canvas.getContext("2d");
    context.lineWidth = 3;
    context.lineCap = "round";
    let drawing = false;
    let drawn = false;
    const point = (event) => {
      const box = canvas.getBoundingClientRect();
      return [(event.clientX - box.left) * (canvas.width / box.width), (event.clientY - box.top) * (canvas.height / box.height)];
    };
    canvas.addEventListener("pointerdown", (event) => {
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      context.beginPath();
      context.moveTo(...point(event));
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!drawing) return;
      context.lineTo(...point(event));
      context.stroke();
      drawn = true;
    });
    canvas.addEventListener("pointerup", () => { drawing = false; });
    const clear = element("button", { type: "button", text: this.t("清除") });
    clear.addEventListener("click", () => { context.clearRect(0, 0, canvas.width, canvas.height); drawn = false; });
    const save = element("button", { type: "button", class: "primary", text: this.t("保存签名") });
    save.addEventListener("click", async () => {
      if (!drawn) {
        this.say(this.t("请先签名。"));
        return;
      }
      await this.add(await canvasBlob(canvas, "image/png"), "signature");
    });
    return element("div", { class: "signature-pad" }, canvas, element("p", {}, clear, " ", save));
  }

  async addPhoto(file) {
    if (!file) return;
    try {
      await this.add(await downscale(file), "photo");
    } catch {
      this.say(this.t("无法读取这张照片，请换一张。"));
    }
  }

  async add(blob, kind) {
    if (blob.size > MAX_BYTES) {
      this.say(this.t("文件太大（超过 5 MB），无法保存。"));
      return;
    }
    const sha256 = await sha256Hex(blob);
    await this.store.putFile({ sha256, blob, size: blob.size, content_type: blob.type, uploaded: false });
    if (!this.record.attachments.some((a) => a.sha256 === sha256 && a.kind === kind)) {
      this.record.attachments.push({ sha256, kind, size: blob.size, content_type: blob.type });
    }
    await this.onChange();
    await this.render();
  }

  async remove(attachment) {
    this.record.attachments = this.record.attachments.filter((a) => a !== attachment);
    if (!this.record.attachments.some((a) => a.sha256 === attachment.sha256)) await this.store.deleteFile(attachment.sha256);
    await this.onChange();
    await this.render();
  }

  say(text) {
    this.message.textContent = text;
  }
}
