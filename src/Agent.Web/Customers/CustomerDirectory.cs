using CallCenter.Agent.Web.Warranty;
using Dapper;
using Npgsql;

namespace CallCenter.Agent.Web.Customers;

public sealed record CustomerPhone(string Number, string Kind, bool IsPreferred);

public sealed record CustomerSummary(long Id, string Name, string? Surname, string? Honorific, string VipTier,
    bool Elderly, IReadOnlyList<CustomerPhone> Phones);

public sealed record PurchaseView(long Id, string Category, string CategoryNameZh, string? Brand, string Model,
    string? ImeiOrSerial, DateOnly SaleDate, string? InvoiceNo, string? Seller, WarrantyStatus Warranty,
    IReadOnlyList<AccessoryWarranty> Accessories);

public sealed record RepairOrderView(long Id, string OrderNo, string Status, string FaultDescription,
    DateTime? PromisedAt, DateTime? ReadyAt, bool ReadyForPickup);

public sealed record ComplaintView(long Id, string ComplaintNo, string Status, string Severity, string Summary,
    DateTime FirstResponseDueAt, DateTime ResolutionDueAt);

public sealed record CallbackView(long Id, string Kind, string State, DateTime DueAt);

public sealed record CustomerDetail(CustomerSummary Customer, string? Address, string? Notes, bool StopCalling,
    IReadOnlyList<PurchaseView> Purchases, IReadOnlyList<RepairOrderView> OpenRepairs,
    IReadOnlyList<ComplaintView> OpenComplaints, IReadOnlyList<CallbackView> PendingCallbacks);

/// <summary>Reads customers with what a screen-pop shows: products with 三包 state, open tickets, callbacks.</summary>
public sealed class CustomerDirectory(NpgsqlDataSource db)
{
    private const string SummarySql = """
        SELECT c.id, c.name, c.surname, c.honorific, c.vip_tier AS VipTier, c.elderly
          FROM customers c WHERE c.id = ANY(@ids) ORDER BY c.id
        """;

    public async Task<IReadOnlyList<CustomerSummary>> FindByPhoneAsync(string digits, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var ids = (await conn.QueryAsync<long>(new CommandDefinition(
            "SELECT DISTINCT customer_id FROM customer_phones WHERE number = @digits LIMIT 20", new { digits }, cancellationToken: ct))).ToArray();
        return await Summaries(conn, ids, ct);
    }

    public async Task<CustomerDetail?> GetAsync(long id, DateOnly today, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var summary = (await Summaries(conn, [id], ct)).SingleOrDefault();
        if (summary is null)
        {
            return null;
        }

        var extra = await conn.QuerySingleAsync<(string? Address, string? Notes, bool StopCalling)>(new CommandDefinition(
            "SELECT address, notes, stop_calling FROM customers WHERE id = @id", new { id }, cancellationToken: ct));

        var purchases = await conn.QueryAsync<PurchaseRow>(new CommandDefinition("""
            SELECT p.id, p.category_code AS Category, pc.name_zh AS CategoryNameZh, p.brand, p.model,
                   p.imei_or_serial AS ImeiOrSerial, p.sale_date AS SaleDate, p.activation_date AS ActivationDate,
                   p.invoice_no AS InvoiceNo, p.seller_name AS Seller, p.warranty_extension_days AS ExtensionDays,
                   pc.return_days AS ReturnDays, pc.exchange_days AS ExchangeDays, pc.warranty_months AS WarrantyMonths
              FROM purchases p JOIN product_categories pc ON pc.code = p.category_code
             WHERE p.customer_id = @id ORDER BY p.sale_date DESC
            """, new { id }, cancellationToken: ct));
        var accessories = (await conn.QueryAsync<AccessoryRow>(new CommandDefinition("""
            SELECT pa.purchase_id AS PurchaseId, pa.accessory, t.name_zh AS NameZh, t.warranty_months AS WarrantyMonths
              FROM purchase_accessories pa
              JOIN purchases p ON p.id = pa.purchase_id
              JOIN accessory_terms t ON t.category_code = p.category_code AND t.accessory = pa.accessory
             WHERE p.customer_id = @id
            """, new { id }, cancellationToken: ct))).ToLookup(a => a.PurchaseId);

        var repairs = await conn.QueryAsync<RepairOrderView>(new CommandDefinition("""
            SELECT id, order_no AS OrderNo, status, fault_description AS FaultDescription, promised_at AS PromisedAt,
                   ready_at AS ReadyAt, status = 'ready_for_pickup' AS ReadyForPickup
              FROM repair_orders WHERE customer_id = @id AND status NOT IN ('picked_up','closed','cancelled')
             ORDER BY (status = 'ready_for_pickup') DESC, created_at DESC
            """, new { id }, cancellationToken: ct));
        var complaints = await conn.QueryAsync<ComplaintView>(new CommandDefinition("""
            SELECT id, complaint_no AS ComplaintNo, status, severity, summary,
                   first_response_due_at AS FirstResponseDueAt, resolution_due_at AS ResolutionDueAt
              FROM complaints WHERE customer_id = @id AND status IN ('open','in_progress') ORDER BY resolution_due_at
            """, new { id }, cancellationToken: ct));
        var callbacks = await conn.QueryAsync<CallbackView>(new CommandDefinition("""
            SELECT id, kind, state, due_at AS DueAt FROM callbacks
             WHERE customer_id = @id AND state IN ('open','in_progress') ORDER BY due_at
            """, new { id }, cancellationToken: ct));

        var purchaseViews = purchases.Select(p =>
        {
            var sale = p.SaleDate;
            var status = WarrantyCalculator.Compute(new WarrantyTerms(p.ReturnDays, p.ExchangeDays, p.WarrantyMonths), sale, today,
                p.ExtensionDays, p.ActivationDate);
            var acc = accessories[p.Id].Select(a => WarrantyCalculator.Accessory(a.Accessory, a.NameZh, a.WarrantyMonths, sale, today)).ToList();
            return new PurchaseView(p.Id, p.Category, p.CategoryNameZh, p.Brand, p.Model, p.ImeiOrSerial, sale, p.InvoiceNo, p.Seller, status, acc);
        }).ToList();

        return new CustomerDetail(summary, extra.Address, extra.Notes, extra.StopCalling, purchaseViews,
            repairs.ToList(), complaints.ToList(), callbacks.ToList());
    }

    public async Task<CustomerSummary> CreateAsync(NewCustomer request, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition(
            "INSERT INTO customers (name, surname, honorific, address) VALUES (@Name, @Surname, @Honorific, @Address) RETURNING id",
            request, tx, cancellationToken: ct));
        var first = true;
        foreach (var phone in request.Phones)
        {
            await conn.ExecuteAsync(new CommandDefinition(
                "INSERT INTO customer_phones (customer_id, number, kind, is_preferred) VALUES (@id, @number, @kind, @preferred)",
                new { id, number = PhoneNumbers.Normalize(phone.Number), kind = phone.Kind, preferred = first }, tx, cancellationToken: ct));
            first = false;
        }

        await tx.CommitAsync(ct);
        return (await Summaries(conn, [id], ct)).Single();
    }

    private static async Task<IReadOnlyList<CustomerSummary>> Summaries(NpgsqlConnection conn, long[] ids, CancellationToken ct)
    {
        if (ids.Length == 0)
        {
            return [];
        }

        var rows = await conn.QueryAsync<SummaryRow>(new CommandDefinition(SummarySql, new { ids }, cancellationToken: ct));
        var phones = (await conn.QueryAsync<PhoneRow>(new CommandDefinition(
            "SELECT customer_id AS CustomerId, number, kind, is_preferred AS IsPreferred FROM customer_phones WHERE customer_id = ANY(@ids) ORDER BY id",
            new { ids }, cancellationToken: ct))).ToLookup(p => p.CustomerId);
        return rows.Select(r => new CustomerSummary(r.Id, r.Name, r.Surname, r.Honorific, r.VipTier, r.Elderly,
            phones[r.Id].Select(p => new CustomerPhone(p.Number, p.Kind, p.IsPreferred)).ToList())).ToList();
    }

    private sealed record SummaryRow(long Id, string Name, string? Surname, string? Honorific, string VipTier, bool Elderly);

    private sealed record PhoneRow(long CustomerId, string Number, string Kind, bool IsPreferred);

    private sealed record PurchaseRow(long Id, string Category, string CategoryNameZh, string? Brand, string Model, string? ImeiOrSerial,
        DateOnly SaleDate, DateOnly? ActivationDate, string? InvoiceNo, string? Seller, int ExtensionDays, int ReturnDays,
        int ExchangeDays, int WarrantyMonths);

    private sealed record AccessoryRow(long PurchaseId, string Accessory, string NameZh, int WarrantyMonths);
}
