namespace CallCenter.Agent.Web.Warranty;

/// <summary>三包 terms of one product category (rows of product_categories / accessory_terms).</summary>
public sealed record WarrantyTerms(int ReturnDays, int ExchangeDays, int WarrantyMonths);

public enum WarrantyPhase
{
    /// <summary>Days 1-7: return, exchange or repair, the customer chooses (000 L30-32, L78).</summary>
    Return,

    /// <summary>Days 8-15: exchange or repair (000 L32).</summary>
    Exchange,

    /// <summary>Up to one year (or the category's term): free repair (000 L32).</summary>
    Repair,

    /// <summary>Past the term: paid repair (000 L34).</summary>
    Expired,
}

public sealed record WarrantyStatus(
    WarrantyPhase Phase,
    int DaysSinceSale,
    DateOnly ReturnUntil,
    DateOnly ExchangeUntil,
    DateOnly RepairUntil,
    bool ActivationMismatch);

public sealed record AccessoryWarranty(string Accessory, string NameZh, DateOnly Until, bool Covered);

/// <summary>
/// Computes 三包 state from the sale date. Periods follow the civil-law rule that the day of sale is not
/// counted (民法典 第201条): bought on the 1st, "七日内" runs to the end of the 8th. The sale date, not the
/// activation date, is what counts (000 L42-44); a mismatch is flagged for the agent.
/// </summary>
public static class WarrantyCalculator
{
    public static WarrantyStatus Compute(WarrantyTerms terms, DateOnly saleDate, DateOnly today,
        int extensionDays = 0, DateOnly? activationDate = null)
    {
        ArgumentNullException.ThrowIfNull(terms);
        var returnUntil = saleDate.AddDays(terms.ReturnDays);
        var exchangeUntil = saleDate.AddDays(terms.ExchangeDays);
        // Delay compensation extends only the repair term (000 L74-76).
        var repairUntil = saleDate.AddMonths(terms.WarrantyMonths).AddDays(extensionDays);
        var phase = today <= returnUntil && terms.ReturnDays > 0 ? WarrantyPhase.Return
            : today <= exchangeUntil && terms.ExchangeDays > 0 ? WarrantyPhase.Exchange
            : today <= repairUntil ? WarrantyPhase.Repair
            : WarrantyPhase.Expired;
        var mismatch = activationDate is { } a && a != saleDate;
        return new WarrantyStatus(phase, today.DayNumber - saleDate.DayNumber, returnUntil, exchangeUntil, repairUntil, mismatch);
    }

    public static AccessoryWarranty Accessory(string accessory, string nameZh, int warrantyMonths, DateOnly saleDate, DateOnly today)
    {
        var until = saleDate.AddMonths(warrantyMonths);
        return new AccessoryWarranty(accessory, nameZh, until, today <= until);
    }
}
