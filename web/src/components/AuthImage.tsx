import { useEffect, useState, type ImgHTMLAttributes } from "react";
import { fileUrl, getToken } from "../api/client";

/** An <img> of an API file; fetched with the token when the server needs one (an <img src> cannot send it). */
export function AuthImage({ path, ...rest }: { path: string } & Omit<ImgHTMLAttributes<HTMLImageElement>, "src">) {
  const token = getToken();
  const [src, setSrc] = useState<string | null>(token ? null : fileUrl(path));
  useEffect(() => {
    if (!token) {
      setSrc(fileUrl(path));
      return;
    }
    let url: string | null = null;
    let cancelled = false;
    fetch(fileUrl(path), { headers: { Authorization: `Bearer ${token}` } })
      .then((r) => (r.ok ? r.blob() : Promise.reject(new Error(String(r.status)))))
      .then((blob) => {
        if (cancelled) return;
        url = URL.createObjectURL(blob);
        setSrc(url);
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [path, token]);
  if (!src) return <div className="skeleton" style={{ aspectRatio: "8 / 5" }} aria-hidden="true" />;
  return <img src={src} {...rest} />;
}
