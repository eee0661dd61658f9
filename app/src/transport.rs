//! The WebSocket to the sync server, and when to try it again.

use std::cell::Cell;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, MessageEvent, WebSocket};

/// What the socket tells its owner.
pub trait SocketEvents: 'static {
    fn opened(&self);
    fn frame(&self, bytes: Vec<u8>);
    fn closed(&self);
}

/// An open (or opening) socket. Dropping it closes the socket and detaches handlers.
pub struct Socket {
    ws: WebSocket,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut()>,
}

impl Socket {
    /// Opens `/sync` on the page's own host.
    pub fn open(events: std::rc::Rc<dyn SocketEvents>) -> Result<Socket, String> {
        let location = web_sys::window().ok_or("no window")?.location();
        let scheme = match location.protocol().map_err(|_| "no protocol")?.as_str() {
            "https:" => "wss",
            _ => "ws",
        };
        let host = location.host().map_err(|_| "no host")?;
        let ws =
            WebSocket::new(&format!("{scheme}://{host}/sync")).map_err(|e| format!("{e:?}"))?;
        ws.set_binary_type(BinaryType::Arraybuffer);

        let e = events.clone();
        let on_open = Closure::<dyn FnMut()>::new(move || e.opened());
        let e = events.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |m: MessageEvent| {
            if let Ok(buffer) = m.data().dyn_into::<js_sys::ArrayBuffer>() {
                e.frame(js_sys::Uint8Array::new(&buffer).to_vec());
            }
        });
        let fired = Cell::new(false);
        let e = events;
        let on_close = Closure::<dyn FnMut()>::new(move || {
            // `error` is followed by `close`; report the loss once.
            if !fired.replace(true) {
                e.closed();
            }
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        ws.set_onerror(Some(on_close.as_ref().unchecked_ref()));
        Ok(Socket {
            ws,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        })
    }

    pub fn send(&self, frame: &[u8]) -> Result<(), String> {
        self.ws
            .send_with_u8_array(frame)
            .map_err(|e| format!("{e:?}"))
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        self.ws.set_onerror(None);
        let _ = self.ws.close();
    }
}

/// Exponential backoff with jitter: about 0.5 s, 1 s, 2 s … up to 30 s, each
/// scaled by a random factor in [0.5, 1.5) so many tablets coming back online at
/// once do not reconnect in step.
pub fn backoff_ms(attempt: u32, random: f64) -> u32 {
    let base = 500f64 * 2f64.powi(attempt.min(6) as i32);
    (base.min(30_000.0) * (0.5 + random)) as u32
}

#[cfg(test)]
mod tests {
    use super::backoff_ms;
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn backoff_grows_then_caps_and_jitter_stays_in_band() {
        assert_eq!(backoff_ms(0, 0.5), 500);
        assert_eq!(backoff_ms(1, 0.5), 1000);
        assert_eq!(backoff_ms(10, 0.5), 30_000);
        assert_eq!(backoff_ms(10, 0.0), 15_000);
        assert!(backoff_ms(10, 0.999) < 45_000);
    }
}
