//! The PostgreSQL driver's own small runtime. Its connections' tasks live
//! here, so a blocking call from a thread of the server's runtime can wait on
//! a query without stalling the task that drives that query's connection.

use crate::store::error::StoreError;
use std::future::Future;
use tokio::runtime::{Builder, Handle, Runtime};

pub(super) struct PgRuntime {
    /// Shut down in the background on drop (a runtime may not be dropped on
    /// an async thread).
    rt: Option<Runtime>,
    handle: Handle,
}

impl PgRuntime {
    pub(super) fn start() -> Result<PgRuntime, StoreError> {
        let rt = Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("babahui-pg")
            .enable_all()
            .build()?;
        let handle = rt.handle().clone();
        Ok(PgRuntime { rt: Some(rt), handle })
    }

    /// Runs `f` here and waits for it, from any thread.
    pub(super) fn block_on<T: Send + 'static>(
        &self,
        f: impl Future<Output = Result<T, StoreError>> + Send + 'static,
    ) -> Result<T, StoreError> {
        futures::executor::block_on(self.spawn(f))
    }

    /// Runs `f` here; the future resolves with its result, on any runtime.
    pub(super) fn spawn<T: Send + 'static>(
        &self,
        f: impl Future<Output = Result<T, StoreError>> + Send + 'static,
    ) -> impl Future<Output = Result<T, StoreError>> + Send + 'static {
        let job = self.handle.spawn(f);
        async move {
            job.await
                .map_err(|e| StoreError::Database(format!("a database task failed: {e}")))?
        }
    }

    /// Runs `f` here without waiting for it.
    pub(super) fn detach(&self, f: impl Future<Output = ()> + Send + 'static) {
        self.handle.spawn(f);
    }

    pub(super) fn handle(&self) -> Handle {
        self.handle.clone()
    }
}

impl Drop for PgRuntime {
    fn drop(&mut self) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}
